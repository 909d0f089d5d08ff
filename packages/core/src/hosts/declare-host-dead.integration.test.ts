import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TJobEnvelope } from "@carve/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimSlackNotifications } from "../events/claim-slack-notifications.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createNetwork } from "../networks/create-network.ts";
import { setFencingSettings } from "../settings/set-fencing-settings.ts";
import { createTestCore, createTestUser, refusal, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { destroyVm } from "../vms/destroy-vm.ts";
import { recreateVm } from "../vms/recreate-vm.ts";
import { startVm } from "../vms/start-vm.ts";
import { declareHostDead } from "./declare-host-dead.ts";
import { refreshHostStates } from "./refresh-host-states.ts";
import { removeHost } from "./remove-host.ts";

const GRACE = 10_000;
let core: TTestCore;
let clock: number;

beforeEach(async () => {
  core = await createTestCore();
  clock = Date.now();
  core.now = () => new Date(clock);
});
afterEach(async () => core.drop());

const beat = (hostId: string): void => core.queues.beat(hostId, new Date(clock));

/**
 * Two Up hosts on a managed network, a pool `shared` both see, and on host-1: `web` (root disk on
 * the shared pool) and `db` and `tmp` (root disks on host-1's own pool), all Running. Then host-1
 * falls silent for good.
 */
async function deadHostWithVms() {
  const alice = await createTestUser(core, "alice");
  const admin = await createTestUser(core, "ops", "Admin");
  await core.db.user.update({ where: { id: alice.userId }, data: { slackUserId: "U-ALICE" } });
  const { hosts, template } = await seedInfra(core, { hosts: 2 });
  const [one, two] = hosts;
  if (!one || !two) throw new Error("no hosts");
  // Spread puts the VMs on host-1 while host-2 has less room.
  for (const h of hosts) beat(h.host.id);
  await refreshHostStates(core, { graceMs: GRACE });
  await core.db.host.update({ where: { id: two.host.id }, data: { memoryMiB: 4096 } });
  const shared = await core.db.storagePool.create({
    data: { name: "shared", libvirtName: "shared", path: "/srv/shared", scope: "Shared", hosts: { create: [{ hostId: one.host.id }, { hostId: two.host.id }] }, capacityBytes: 1000n * 1024n ** 3n, capacityReportedAt: new Date() },
  });
  await core.db.templateCopy.create({ data: { templateId: template.id, poolId: shared.id, volumeName: "tiny.qcow2" } });
  await createNetwork(core, admin, { name: "dev-nat", kind: "Managed", cidr: "10.9.0.0/24", gateway: "10.9.0.1", rangeStart: "10.9.0.10", rangeEnd: "10.9.0.99", hosts: ["host-1", "host-2"], isDefault: true });
  const vms: Record<string, { id: string; ipAddress: string | null }> = {};
  for (const name of ["web", "db", "tmp"]) {
    const { vm, job } = await createVm(core, alice, { name, template: "tiny", offering: "small" });
    core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: `/p/${vm.id}` } });
    vms[name] = vm;
  }
  await sweepJobs(core);
  await core.db.volume.updateMany({ where: { vmId: vms["web"]?.id ?? "" }, data: { poolId: shared.id } });
  expect(await core.db.vm.count({ where: { hostId: one.host.id, state: "Running" } })).toBe(3);
  // Claims start at the newest event: what follows is news.
  await claimSlackNotifications(core, { settleMs: 0 });
  // host-1 falls silent; the controller marks it Disconnected and its VMs Unknown.
  clock += 60_000;
  beat(two.host.id);
  core.queues.heartbeats.delete(one.host.id);
  await refreshHostStates(core, { graceMs: GRACE });
  return { alice, admin, one, two, shared, vms };
}

const vmNamed = (name: string) => core.db.vm.findFirstOrThrow({ where: { name }, orderBy: { createdAt: "desc" } });

describe("declaring a host dead", () => {
  it("is refused while the host heartbeats, giving its last beat, and changes nothing", async () => {
    const admin = await createTestUser(core, "ops", "Admin");
    const { hosts } = await seedInfra(core, { hosts: 1 });
    const host = hosts[0]?.host;
    if (!host) throw new Error("no host");
    beat(host.id);
    const error = await refusal(declareHostDead(core, admin, { host: "host-1", confirm: "host-1" }));
    expect(error.code).toBe("HOST_ALIVE");
    expect(error.message).toContain(`its agent last beat at ${new Date(clock).toISOString()} (0 s ago)`);
    expect(error.message).toContain("'carve host maintenance start host-1'");
    expect((await core.db.host.findUniqueOrThrow({ where: { id: host.id } })).state).toBe("Up");
  });

  it("is refused unless the host's name is typed again as the confirmation", async () => {
    const { admin, one } = await deadHostWithVms();
    const error = await refusal(declareHostDead(core, admin, { host: "host-1", confirm: "host-2" }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.fields).toEqual([{ field: "confirm", message: "must be 'host-1'" }]);
    expect((await core.db.host.findUniqueOrThrow({ where: { id: one.host.id } })).state).toBe("Disconnected");
    expect((await vmNamed("web")).state).toBe("Unknown");
  });

  it("runs the fencing command first with the host's name and address; a failing one refuses with its output and changes nothing", async () => {
    const { admin, one } = await deadHostWithVms();
    await setFencingSettings(core, admin, { command: ["/bin/sh", "-c", "echo 'ipmi: no route to BMC of' \"$1\" >&2; exit 3", "fence"] });
    const error = await refusal(declareHostDead(core, admin, { host: "host-1", confirm: "host-1" }));
    expect(error.code).toBe("FENCING_FAILED");
    expect(error.message).toBe(
      "The fencing command for host host-1 (/bin/sh) exited with 3; its output ends: ipmi: no route to BMC of host-1. Nothing was changed: make sure the host is powered off (fix the command, or 'carve settings fencing --command' to change it), then declare it dead again.",
    );
    expect((await core.db.host.findUniqueOrThrow({ where: { id: one.host.id } })).state).toBe("Disconnected");
    expect(core.queues.byName("vm.define")).toEqual([]);

    const dir = await mkdtemp(join(tmpdir(), "fence-"));
    await setFencingSettings(core, admin, { command: ["/bin/sh", "-c", 'echo "$1 $2" > "$0"', join(dir, "args")] });
    const declared = await declareHostDead(core, admin, { host: "host-1", confirm: "host-1" });
    expect(declared.fenced).toBe(true);
    expect(await readFile(join(dir, "args"), "utf8")).toBe("host-1 host-1\n");
  });

  it("restarts shared-disk VMs on another host, makes local-disk VMs Lost; Lost VMs are destroyed or re-created; then the host goes", async () => {
    const { alice, admin, one, two, vms } = await deadHostWithVms();
    const declared = await declareHostDead(core, admin, { host: "host-1", confirm: "host-1" });
    expect(declared.vms.map((v) => [v.name, v.outcome, v.host])).toEqual([
      ["db", "lost", undefined],
      ["tmp", "lost", undefined],
      ["web", "restarting", "host-2"],
    ]);
    const host1 = await core.db.host.findUniqueOrThrow({ where: { id: one.host.id } });
    expect(host1).toMatchObject({ state: "Dead", credentialHash: null });
    const audit = await core.db.event.findFirstOrThrow({ where: { type: "host.declared-dead" } });
    expect(audit.message).toBe("host host-1 declared dead: ops confirmed it is powered off (no fencing command is set)");
    expect(audit.data).toMatchObject({ confirmedBy: "ops", confirmation: "host-1", fenced: false });

    // web: one define+start job on host-2, from its disk on the shared pool.
    const [define] = core.queues.byName("vm.define");
    expect(define?.hostId).toBe(two.host.id);
    expect((define?.envelope as TJobEnvelope).payload).toMatchObject({ vmId: vms["web"]?.id, start: true, rootVolume: { pool: "shared" }, nics: [{ ip: "10.9.0.10" }] });
    core.queues.settle((define?.envelope as TJobEnvelope).jobId, { result: { vmId: vms["web"]?.id, state: "running", rootVolumePath: "/srv/shared/web" } });
    await sweepJobs(core);
    expect(await vmNamed("web")).toMatchObject({ state: "Running", hostId: two.host.id, activeJobId: null });
    expect(core.queues.byName("vm.undefine")).toEqual([]);

    // db and tmp: Lost, with the way out; owners are DMed about all three.
    const db = await vmNamed("db");
    expect(db.state).toBe("Lost");
    expect(db.stateReason).toBe(
      "host host-1 was declared dead by ops, and db's root disk (pool pool-1) on that host's own storage went with it. Destroy it ('carve vm destroy db': records only) or re-create it from template tiny with the same name and address ('carve vm recreate db').",
    );
    const dms = await claimSlackNotifications(core, { settleMs: 0 });
    expect(dms.map((n) => [n.vmName, n.toState])).toEqual(expect.arrayContaining([["db", "Lost"], ["tmp", "Lost"], ["web", null], ["web", "Running"]]));

    // A beat from the dead host does not bring it back.
    beat(one.host.id);
    await refreshHostStates(core, { graceMs: GRACE });
    expect((await core.db.host.findUniqueOrThrow({ where: { id: one.host.id } })).state).toBe("Dead");

    // The host cannot go while Lost VMs are on it.
    const blocked = await refusal(removeHost(core, admin, { host: "host-1" }));
    expect(blocked.message).toContain("re-create the Lost ones elsewhere ('carve vm recreate NAME')");

    // tmp: destroyed, records only (no agent job).
    const sent = core.queues.jobs.size;
    const destroyed = await destroyVm(core, alice, { vm: "tmp" });
    expect(destroyed).toMatchObject({ kind: "vm.destroy-records", state: "Succeeded" });
    expect(core.queues.jobs.size).toBe(sent);
    expect(await vmNamed("tmp")).toMatchObject({ state: "Destroyed", liveName: null });
    expect(await core.db.volume.findMany({ where: { vmId: vms["tmp"]?.id }, select: { state: true } })).toEqual([{ state: "Deleted" }]);

    // db: re-created from its template, same name and address, on host-2.
    const again = await recreateVm(core, alice, { vm: "db" });
    expect(again.vm).toMatchObject({ name: "db", state: "Creating", hostId: two.host.id, ipAddress: vms["db"]?.ipAddress });
    expect(again.vm.id).not.toBe(vms["db"]?.id);
    expect((await core.db.vm.findUniqueOrThrow({ where: { id: vms["db"]?.id ?? "" } })).state).toBe("Destroyed");
    expect(core.queues.jobs.get(again.job.id)?.hostId).toBe(two.host.id);

    // Now the dead host and its own pool go; the pool is no longer listed as Up.
    expect(await removeHost(core, admin, { host: "host-1" })).toMatchObject({ state: "Removed" });
    expect(await core.db.storagePool.findFirstOrThrow({ where: { name: "pool-1" } })).toMatchObject({ state: "Unhealthy" });
    expect((await core.db.storagePool.findFirstOrThrow({ where: { name: "shared" } })).state).toBe("Up");
  });

  it("leaves a shared-disk VM Stopped with placement's reasons when no other host can take it; starting it is refused with the way out", async () => {
    const { alice, admin, two } = await deadHostWithVms();
    await core.db.host.update({ where: { id: two.host.id }, data: { state: "Maintenance" } });
    const declared = await declareHostDead(core, admin, { host: "host-1", confirm: "host-1" });
    const web = declared.vms.find((v) => v.name === "web");
    expect(web?.outcome).toBe("stopped");
    expect(web?.reason).toContain("host-2 is Maintenance");
    expect(web?.reason).toContain("'carve vm migrate web'");
    expect((await vmNamed("web")).state).toBe("Stopped");
    // Starting it would send a job to the dead host's queue, which no agent reads: refused at once, with the way out.
    const sent = core.queues.jobs.size;
    const refused = await refusal(startVm(core, alice, { vm: "web" }));
    expect(refused.code).toBe("INVALID_STATE");
    expect(refused.message).toBe(
      "Cannot start VM web: its host host-1 was declared dead, so nothing can run there any more. Its disks are on shared storage: an admin moves it to a live host ('carve vm migrate web'), then start it there; or destroy it ('carve vm destroy web': records only).",
    );
    expect(core.queues.jobs.size).toBe(sent);
    expect(await core.db.vm.findFirstOrThrow({ where: { name: "web" } })).toMatchObject({ state: "Stopped", activeJobId: null });
    expect(await core.db.job.count({ where: { kind: "vm.start" } })).toBe(0);
  });
});

describe("removing a host whose pools hold volumes (issue 19 item 2)", () => {
  it("is refused, naming each volume and the commands that deal with it; the pool is not Up after the removal", async () => {
    const admin = await createTestUser(core, "ops", "Admin");
    const dana = await createTestUser(core, "dana");
    const { hosts } = await seedInfra(core, { hosts: 1 });
    const one = hosts[0];
    if (!one) throw new Error("no host");
    const scratch = await core.db.volume.create({ data: { name: "scratch", kind: "Data", ownerId: dana.userId, poolId: one.pool.id, libvirtName: "scratch.qcow2", sizeGiB: 5, state: "Ready" } });
    const error = await refusal(removeHost(core, admin, { host: "host-1" }));
    expect(error.code).toBe("HAS_DEPENDENTS");
    expect(error.message).toBe(
      "Host host-1 is still used by 1 volume (scratch (dana, 5 GiB, pool pool-1: 'carve volume migrate scratch --pool POOL' or 'carve volume delete scratch')). Remove them in this order: 1. move each volume to a pool of another host ('carve volume migrate NAME --pool POOL') or delete it ('carve volume delete NAME'); 2. remove the host ('carve host remove host-1')",
    );
    expect((await core.db.host.findUniqueOrThrow({ where: { id: one.host.id } })).state).toBe("Up");

    await core.db.volume.update({ where: { id: scratch.id }, data: { state: "Deleted" } });
    await removeHost(core, admin, { host: "host-1" });
    const pool = await core.db.storagePool.findUniqueOrThrow({ where: { id: one.pool.id } });
    expect(pool.state).toBe("Unhealthy");
    expect(pool.stateReason).toBe("its host host-1 was removed: add the host again ('carve host add host-1') or delete the pool ('carve pool delete pool-1')");
  });
});
