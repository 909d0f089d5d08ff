import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TActor } from "../identity/actor.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createTestCore, createTestUser, refusal, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { definePayload } from "../vms/move/define-payload.ts";
import { planVm } from "../vms/plan-vm.ts";
import { loadMovingVms } from "../vms/move/move-targets.ts";
import { createNetwork } from "./create-network.ts";
import { defineNetwork } from "./define-network.ts";
import { getNetwork } from "./get-network.ts";
import { listNetworks } from "./list-networks.ts";
import { updateNetwork } from "./update-network.ts";
import { deleteNetwork } from "./delete-network.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const DEV_NAT = { name: "dev-nat", kind: "Managed", cidr: "10.9.0.0/24", gateway: "10.9.0.1", rangeStart: "10.9.0.10", rangeEnd: "10.9.0.99", dnsDomain: "dev.example.com", bridge: "carvebr0" } as const;

async function answer(jobId: string, outcome: { result: unknown } | { reason: string }) {
  core.queues.settle(jobId, outcome);
  await sweepJobs(core);
}
const hostId = async (name: string) => (await core.db.host.findUniqueOrThrow({ where: { name } })).id;
const hostStates = async (admin: TActor) => (await getNetwork(core, admin, { network: "dev-nat" })).hosts.map((h) => [h.name, h.state, h.stateReason]);

describe("networks are defined on their hosts by the agents", () => {
  it("createNetwork sends network.define to each host; each result makes the network Up or Unhealthy there, shown in the views", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    await seedInfra(core, { hosts: 2 });
    const network = await createNetwork(core, admin, { ...DEV_NAT, hosts: ["host-1", "host-2"] });
    expect(network.hosts.map((h) => [h.name, h.state])).toEqual([["host-1", "Pending"], ["host-2", "Pending"]]);
    const jobs = core.queues.byName("network.define");
    expect(jobs.map((j) => j.hostId).sort()).toEqual([await hostId("host-1"), await hostId("host-2")].sort());
    expect(jobs[0]?.envelope.payload).toEqual({
      networkId: network.id, kind: "managed", name: "dev-nat", bridge: "carvebr0", mode: "nat",
      address: "10.9.0.1", prefix: 24, range: { start: "10.9.0.10", end: "10.9.0.99" }, dnsDomain: "dev.example.com",
    }); // prettier-ignore

    const byHost = new Map(jobs.map((j) => [j.hostId, j.envelope.jobId]));
    await answer(byHost.get(await hostId("host-1")) ?? "", { result: { networkId: network.id, name: "dev-nat", adopted: false, active: true, bridge: "carvebr0" } });
    await answer(byHost.get(await hostId("host-2")) ?? "", { reason: "libvirt could not start network dev-nat (is dnsmasq installed? apt-get install dnsmasq-base): Cannot find 'dnsmasq' in path" });

    expect(await hostStates(admin)).toEqual([
      ["host-1", "Up", null],
      ["host-2", "Unhealthy", expect.stringMatching(/dnsmasq-base.*; fix the cause, then run 'carve network define dev-nat --host host-2'$/)],
    ]);
    const listed = (await listNetworks(core, admin)).find((n) => n.name === "dev-nat");
    expect(listed?.hosts.map((h) => h.state)).toEqual(["Up", "Unhealthy"]);
    const event = await core.db.event.findFirstOrThrow({ where: { type: "network.state", toState: "Up" } });
    expect(event.message).toBe("network dev-nat is Up on host-1");

    // The retry after fixing the cause: only the named host, Pending again until its agent answers.
    const retry = await defineNetwork(core, admin, { network: "dev-nat", host: "host-2" });
    expect(retry.jobs.map((j) => j.hostId)).toEqual([await hostId("host-2")]);
    expect((await hostStates(admin))[1]).toEqual(["host-2", "Pending", null]);
    await answer(retry.jobs[0]?.id ?? "", { result: { networkId: network.id, name: "dev-nat", adopted: true, active: true, bridge: "carvebr0" } });
    expect((await hostStates(admin))[1]).toEqual(["host-2", "Up", null]);
  });

  it("an adopted libvirt network under another name is Unhealthy with the rename to do; a bridge network only checks its bridge", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    await seedInfra(core, { hosts: 2 });
    const network = await createNetwork(core, admin, { ...DEV_NAT, hosts: ["host-1"] });
    const [job] = core.queues.byName("network.define");
    await answer(job?.envelope.jobId ?? "", { result: { networkId: network.id, name: "legacy", adopted: true, active: true, bridge: "carvebr0" } });
    expect((await hostStates(admin))[0]).toEqual(["host-1", "Unhealthy", expect.stringContaining("host host-1 already has this bridge as libvirt network legacy, Carve calls it dev-nat: rename one")]);

    const lan = await createNetwork(core, admin, { name: "office", kind: "Bridge", bridge: "br0", cidr: "192.168.10.0/24", hosts: ["host-1"] });
    const bridgeJob = core.queues.byName("network.define").find((j) => (j.envelope.payload as { networkId: string }).networkId === lan.id);
    expect(bridgeJob?.envelope.payload).toEqual({ networkId: lan.id, kind: "bridge", name: "br0", bridge: "br0", mode: "nat" });

    // Adding a host to a network defines it there only.
    const before = core.queues.byName("network.define").length;
    await updateNetwork(core, admin, { network: "dev-nat", hosts: ["host-1", "host-2"] });
    const added = core.queues.byName("network.define").slice(before);
    expect(added.map((j) => j.hostId)).toEqual([await hostId("host-2")]);
  });

  it("taking a host off a network, or deleting it, undefines the libvirt network where Carve defined it (not where it adopted one)", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    await seedInfra(core, { hosts: 3 });
    const network = await createNetwork(core, admin, { ...DEV_NAT, hosts: ["host-1", "host-2", "host-3"] });
    const defines = new Map(core.queues.byName("network.define").map((j) => [j.hostId, j.envelope.jobId]));
    const made = { networkId: network.id, name: "dev-nat", active: true, bridge: "carvebr0" };
    await answer(defines.get(await hostId("host-1")) ?? "", { result: { ...made, adopted: false } });
    await answer(defines.get(await hostId("host-2")) ?? "", { result: { ...made, adopted: true } });
    await answer(defines.get(await hostId("host-3")) ?? "", { result: { ...made, adopted: false } });
    // A later delivery finds Carve's own network there and "adopts" it: it is still Carve's to remove.
    const retry = await defineNetwork(core, admin, { network: "dev-nat", host: "host-3" });
    await answer(retry.jobs[0]?.id ?? "", { result: { ...made, adopted: true } });

    await updateNetwork(core, admin, { network: "dev-nat", hosts: ["host-1", "host-2"] });
    const off = core.queues.byName("network.undefine");
    expect(off.map((j) => [j.hostId, j.envelope.payload])).toEqual([[await hostId("host-3"), { networkId: network.id, name: "dev-nat" }]]);

    await deleteNetwork(core, admin, { network: "dev-nat" });
    // host-2 had its own libvirt network with that bridge before Carve: it stays.
    expect(core.queues.byName("network.undefine").slice(1).map((j) => j.hostId)).toEqual([await hostId("host-1")]);
    await answer(core.queues.byName("network.undefine")[1]?.envelope.jobId ?? "", { result: { networkId: network.id, name: "dev-nat", removed: true } });
    const jobs = await core.db.job.findMany({ where: { kind: "network.undefine" }, select: { state: true } });
    expect(jobs.map((j) => j.state)).toEqual(["Queued", "Succeeded"]);
    const event = await core.db.event.findFirstOrThrow({ where: { type: "network.undefine", hostId: await hostId("host-1") } });
    expect(event.message).toBe("libvirt network dev-nat of network dev-nat is being removed from host-1");
  });

  it("refuses a retry on a host that does not have the network, naming the hosts that do", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    await seedInfra(core, { hosts: 2 });
    await createNetwork(core, admin, { ...DEV_NAT, hosts: ["host-1"] });
    const refused = await refusal(defineNetwork(core, admin, { network: "dev-nat", host: "host-2" }));
    expect(refused).toMatchObject({ code: "HOST_NOT_FOUND", fields: [{ field: "host", message: "does not have this network" }] });
    expect(refused.message).toContain("it is on host-1");
  });

  it("a VM moved cold is defined on its new host with the same MAC, address, DNS name and security filter", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 1 });
    await createNetwork(core, admin, { ...DEV_NAT, hosts: ["host-1"], isDefault: true });
    const { vm } = await createVm(core, alice, { name: "web", template: "tiny", offering: "small" });
    const created = core.queues.jobs.get((await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).activeJobId ?? "")?.envelope.payload as { nics: unknown[]; filter: unknown };
    const [moving] = await loadMovingVms(core.db, { id: vm.id });
    if (!moving) throw new Error("the VM is not movable");
    expect(definePayload(moving).nics).toEqual(created.nics);
    expect(definePayload(moving).nics).toMatchObject([{ network: { kind: "managed", name: "dev-nat" }, ip: "10.9.0.10", hostname: "web.dev.example.com" }]);
    // The target defines the filter the NIC refers to (the owner's default group: SSH and ICMP in).
    expect(definePayload(moving).filter).toEqual(created.filter);
    expect(definePayload(moving).filter).toMatchObject({ name: `carve-vm-${vm.id}`, ip: "10.9.0.10", rules: expect.arrayContaining([expect.objectContaining({ protocol: "tcp", portFrom: 22 })]) });
  });

  it("placement skips a host where the network is Unhealthy, saying why", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 2 });
    await createNetwork(core, admin, { ...DEV_NAT, hosts: ["host-1", "host-2"], isDefault: true });
    const host1 = await hostId("host-1");
    const onHost1 = core.queues.byName("network.define").find((j) => j.hostId === host1);
    await answer(onHost1?.envelope.jobId ?? "", { reason: "bridge carvebr0 does not exist on host host-1" });
    const plan = await planVm(core, alice, { name: "p", template: "tiny", offering: "small" });
    expect(plan).toMatchObject({ fits: true, host: { name: "host-2" } });
    expect(plan.rejections).toContainEqual({ host: "host-1", reason: expect.stringMatching(/^has network dev-nat Unhealthy \(bridge carvebr0 does not exist on host host-1; fix the cause, then run/) });
  });
});
