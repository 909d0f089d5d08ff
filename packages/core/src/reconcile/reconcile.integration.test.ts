import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { refreshHostStates } from "../hosts/refresh-host-states.ts";
import { inspectHost } from "../hosts/inspect-host.ts";
import { finaliseJob } from "../jobs/finalise-job.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { watchJobs } from "../jobs/watch-jobs.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { stopVm } from "../vms/stop-vm.ts";
import { destroyDrift } from "./destroy-drift.ts";
import { ignoreDrift } from "./ignore-drift.ts";
import { listDrift } from "./list-drift.ts";
import { reconcileHosts } from "./reconcile-hosts.ts";
import { createNetwork } from "../networks/create-network.ts";

const GRACE = 10_000;
let core: TTestCore;
let clock: number;
const tick = (ms: number) => (clock += ms);

beforeEach(async () => {
  core = await createTestCore();
  clock = Date.now();
  core.now = () => new Date(clock);
});
afterEach(async () => {
  await core.drop();
});

const beat = (hostId: string, ageMs = 0): void => core.queues.beat(hostId, new Date(clock - ageMs));

type TDomain = { name: string; uuid: string; state: "running" | "stopped" | "paused" | "other" };
const inventory = (domains: TDomain[]) => ({ result: { hostname: "h", cpus: 8, memoryMiB: 16384, domains, pools: [] } });
const domainOf = (vmId: string, state: TDomain["state"]): TDomain => ({ name: `carve-${vmId}`, uuid: vmId, state });

/** Two Up hosts and `count` Running VMs on host-1, each with a fresh heartbeat. */
async function runningVms(count: number) {
  const alice = await createTestUser(core, "alice");
  const admin = await createTestUser(core, "ops", "Admin");
  const { hosts } = await seedInfra(core, { hosts: 1 });
  const host = hosts[0]?.host;
  if (!host) throw new Error("no host");
  beat(host.id);
  await refreshHostStates(core, { graceMs: GRACE });
  const vms = [];
  for (let i = 0; i < count; i++) {
    const { vm, job } = await createVm(core, alice, { name: `vm-${i}`, template: "tiny", offering: "small" });
    core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: `/p/${vm.id}` } });
    vms.push(vm);
  }
  await sweepJobs(core);
  return { alice, admin, host, vms };
}

/** Plays the agent answering the controller's pending inventory request on the host, then finalises it. */
async function answerInventory(hostId: string, domains: TDomain[]) {
  const job = await core.db.job.findFirstOrThrow({ where: { hostId, kind: "host.inventory", state: { in: ["Queued", "Running"] } } });
  core.queues.settle(job.id, inventory(domains));
  await sweepJobs(core);
  return job;
}

const vmState = async (id: string) => (await core.db.vm.findUniqueOrThrow({ where: { id } })).state;
const allocated = async (hostId: string) => {
  const h = await core.db.host.findUniqueOrThrow({ where: { id: hostId } });
  return [h.vcpusAllocated, h.memMiBAllocated];
};

describe("heartbeats", () => {
  it("a host silent past the grace is Disconnected and its VMs Unknown (capacity kept); back Up, it is asked for its inventory", async () => {
    const { alice, host, vms } = await runningVms(2);
    const [a, b] = vms;
    if (!a || !b) throw new Error("no VMs");
    const stop = await stopVm(core, alice, { vm: b.id });
    core.queues.settle(stop.id, { result: { vmId: b.id, state: "stopped", forced: false } });
    await sweepJobs(core);
    expect(await vmState(b.id)).toBe("Stopped");
    // The key still exists (its TTL outlives the agent), but the beat in it is old: the beat's time counts.
    beat(host.id, GRACE - 1_000);
    expect((await refreshHostStates(core, { graceMs: GRACE })).disconnected).toBe(0);
    beat(host.id, GRACE + 1_000);
    const report = await refreshHostStates(core, { graceMs: GRACE });
    expect(report).toMatchObject({ disconnected: 1, unknown: 2 });
    const row = await core.db.host.findUniqueOrThrow({ where: { id: host.id } });
    expect(row.state).toBe("Disconnected");
    expect(await vmState(a.id)).toBe("Unknown");
    expect((await core.db.vm.findUniqueOrThrow({ where: { id: a.id } })).stateReason).toMatch(/host host-1 stopped answering \(no heartbeat for 11 s, grace 10 s\).*never restarts or fences/);
    expect(await allocated(host.id)).toEqual([2, 1024]);
    const events = await core.db.event.findMany({ where: { vmId: a.id, toState: "Unknown" } });
    expect(events).toHaveLength(1);
    const hostEvent = await core.db.event.findFirstOrThrow({ where: { hostId: host.id, type: "host.state", toState: "Disconnected" } });
    expect(hostEvent.message).toContain("Carve does not reboot or fence it");
    // A second round changes nothing more.
    expect((await refreshHostStates(core, { graceMs: GRACE })).unknown).toBe(0);

    // Far enough ahead of the real clock (that stamps rows' updatedAt) for a slow machine.
    tick(60_000);
    beat(host.id);
    expect((await refreshHostStates(core, { graceMs: GRACE })).cameUp).toEqual([host.id]);
    const asked = core.queues.byName("host.inventory");
    expect(asked).toHaveLength(1);
    const job = await core.db.job.findUniqueOrThrow({ where: { id: asked[0]?.envelope.jobId ?? "" } });
    expect(job).toMatchObject({ actorId: null, kind: "host.inventory" });

    await answerInventory(host.id, [domainOf(a.id, "running"), domainOf(b.id, "stopped")]);
    expect([await vmState(a.id), await vmState(b.id)]).toEqual(["Running", "Stopped"]);
    const reconciled = await core.db.event.findMany({ where: { type: "vm.reconciled" }, orderBy: { id: "asc" } });
    expect(reconciled.map((e) => [e.vmId, e.fromState, e.toState])).toEqual([
      [a.id, "Unknown", "Running"],
      [b.id, "Unknown", "Stopped"],
    ]);
    expect((await core.db.event.findFirstOrThrow({ where: { vmId: b.id, toState: "Unknown" } })).fromState).toBe("Stopped");
    expect(reconciled[1]?.message).toContain("reported by host host-1 (domain shut off)");
    expect(await allocated(host.id)).toEqual([2, 1024]);
  });
});

// security groups (issue 17): reconciliation re-applies filters
describe("a host back Up gets its VMs' network filters again", () => {
  it("sends a vm.filter job for each VM on it once its heartbeat returns", async () => {
    const alice = await createTestUser(core, "alice");
    const admin = await createTestUser(core, "ops", "Admin");
    const { hosts } = await seedInfra(core, { hosts: 1 });
    const host = hosts[0]?.host;
    if (!host) throw new Error("no host");
    await createNetwork(core, admin, { name: "dev", kind: "Managed", cidr: "10.7.0.0/24", gateway: "10.7.0.1", rangeStart: "10.7.0.10", rangeEnd: "10.7.0.20", hosts: ["host-1"], isDefault: true });
    beat(host.id);
    await refreshHostStates(core, { graceMs: GRACE });
    const { vm, job } = await createVm(core, alice, { name: "web", template: "tiny", offering: "small" });
    core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: `/p/${vm.id}` } });
    await sweepJobs(core);
    const before = core.queues.byName("vm.filter").length;

    beat(host.id, GRACE + 1_000);
    await refreshHostStates(core, { graceMs: GRACE });
    expect(core.queues.byName("vm.filter")).toHaveLength(before);
    tick(60_000);
    beat(host.id);
    expect((await refreshHostStates(core, { graceMs: GRACE })).cameUp).toEqual([host.id]);
    const sent = core.queues.byName("vm.filter").slice(before);
    expect(sent.map((j) => [j.hostId, j.envelope.payload])).toEqual([[host.id, { vmId: vm.id, filter: expect.objectContaining({ name: `carve-vm-${vm.id}`, ip: "10.7.0.10" }) }]]);
    // A host that stays Up is not asked again.
    await refreshHostStates(core, { graceMs: GRACE });
    expect(core.queues.byName("vm.filter").slice(before)).toHaveLength(1);
  });
});

describe("reconciliation", () => {
  it("corrects out-of-band power changes; a missing domain puts the VM in Error 'missing on host' and releases its capacity", async () => {
    const { host, vms } = await runningVms(3);
    const [off, gone, fine] = vms;
    if (!off || !gone || !fine) throw new Error("no VMs");
    tick(5_000);
    expect((await reconcileHosts(core, { everyMs: 30_000 })).requested).toBe(1);
    // One in flight per host, and none again before the period is over.
    expect((await reconcileHosts(core, { everyMs: 30_000 })).requested).toBe(0);
    await answerInventory(host.id, [domainOf(off.id, "stopped"), domainOf(fine.id, "running")]);
    expect((await reconcileHosts(core, { everyMs: 30_000 })).requested).toBe(0);

    expect([await vmState(off.id), await vmState(gone.id), await vmState(fine.id)]).toEqual(["Stopped", "Error", "Running"]);
    const missing = await core.db.vm.findUniqueOrThrow({ where: { id: gone.id } });
    expect(missing.stateReason).toMatch(/^missing on host host-1: .*Destroy the VM to release its disks/);
    expect(await allocated(host.id)).toEqual([2, 1024]);
    expect(await core.db.event.count({ where: { type: "vm.reconciled" } })).toBe(2);

    tick(31_000);
    expect((await reconcileHosts(core, { everyMs: 30_000 })).requested).toBe(1);
    // The controller's own inventories do not pile up: after an hour they are deleted.
    await answerInventory(host.id, [domainOf(off.id, "stopped"), domainOf(fine.id, "running")]);
    tick(3_700_000);
    expect(await reconcileHosts(core, { everyMs: 30_000 })).toEqual({ requested: 1, pruned: 2 });
    expect(await core.db.job.count({ where: { kind: "host.inventory" } })).toBe(1);
  });

  it("leaves alone a VM with a job in flight, and one changed after the inventory was asked for", async () => {
    const { alice, host, vms } = await runningVms(2);
    const [busy, changed] = vms;
    if (!busy || !changed) throw new Error("no VMs");
    // On the real clock here: the stop below is stamped after the inventory is asked for.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    clock = Date.now();
    await reconcileHosts(core, { everyMs: 30_000 });
    await stopVm(core, alice, { vm: busy.id });
    // changed: stopped through Carve after the inventory was asked for; the report predates it.
    const stop = await stopVm(core, alice, { vm: changed.id });
    core.queues.settle(stop.id, { result: { vmId: changed.id, state: "stopped", forced: false } });
    await sweepJobs(core);
    await answerInventory(host.id, [domainOf(busy.id, "running"), domainOf(changed.id, "running")]);
    expect([await vmState(busy.id), await vmState(changed.id)]).toEqual(["Stopping", "Stopped"]);
    expect(await core.db.event.count({ where: { type: "vm.reconciled" } })).toBe(0);
  });

  it("an admin's 'host inspect' reconciles too", async () => {
    const { admin, host, vms } = await runningVms(1);
    const [vm] = vms;
    if (!vm) throw new Error("no VM");
    // inspectHost's job is stamped by the database clock: let the VM's last change age past the margin.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const job = await inspectHost(core, admin, host.id);
    core.queues.settle(job.id, inventory([domainOf(vm.id, "stopped")]));
    await sweepJobs(core);
    expect(await vmState(vm.id)).toBe("Stopped");
  });
});

// networks (issue 17): addresses the LAN's DHCP gave
describe("learned addresses", () => {
  it("a NIC on a network without a range takes the address its host sees, with an event and its filter re-sent; a VM that stops gives it up", async () => {
    const { admin, alice, host } = await runningVms(0);
    await createNetwork(core, admin, { name: "lan", kind: "Bridge", bridge: "br0", cidr: "192.168.1.0/24", hosts: ["host-1"], isDefault: true });
    const { vm, job } = await createVm(core, alice, { name: "web", template: "tiny", offering: "small" });
    core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: `/p/${vm.id}` } });
    await sweepJobs(core);
    const nic = await core.db.nic.findFirstOrThrow({ where: { vmId: vm.id } });
    expect(nic.ip).toBeNull();
    const answer = async (state: TDomain["state"], addresses: { domain: string; mac: string; ip: string }[]) => {
      tick(31_000);
      await reconcileHosts(core, { everyMs: 30_000 });
      const asked = await core.db.job.findFirstOrThrow({ where: { hostId: host.id, kind: "host.inventory", state: { in: ["Queued", "Running"] } } });
      core.queues.settle(asked.id, { result: { hostname: "h", cpus: 8, memoryMiB: 16384, domains: [domainOf(vm.id, state)], pools: [], addresses } });
      await sweepJobs(core);
    };
    const filtersBefore = core.queues.byName("vm.filter").length;

    await answer("running", [{ domain: `carve-${vm.id}`, mac: nic.mac, ip: "192.168.1.23" }]);
    expect((await core.db.nic.findUniqueOrThrow({ where: { id: nic.id } })).ip).toBe("192.168.1.23");
    const learned = await core.db.event.findFirstOrThrow({ where: { type: "vm.address", vmId: vm.id } });
    expect(learned.message).toBe("web has 192.168.1.23 on network lan, as host host-1 sees it");
    const [sent] = core.queues.byName("vm.filter").slice(filtersBefore);
    expect(sent?.envelope.payload).toMatchObject({ vmId: vm.id, filter: { ip: "192.168.1.23" } });

    // Quiet guest (nothing seen): it keeps its address.
    await answer("running", []);
    expect((await core.db.nic.findUniqueOrThrow({ where: { id: nic.id } })).ip).toBe("192.168.1.23");

    const stop = await stopVm(core, alice, { vm: vm.id });
    core.queues.settle(stop.id, { result: { vmId: vm.id, state: "stopped", forced: false } });
    await sweepJobs(core);
    await answer("stopped", []);
    expect((await core.db.nic.findUniqueOrThrow({ where: { id: nic.id } })).ip).toBeNull();
    const gaveUp = await core.db.event.findMany({ where: { type: "vm.address", vmId: vm.id }, orderBy: { id: "asc" } });
    expect(gaveUp.map((e) => e.message)).toEqual(["web has 192.168.1.23 on network lan, as host host-1 sees it", "web gave up 192.168.1.23 on network lan: it is not running on host host-1"]);
  });
});

describe("drift", () => {
  it("lists unknown domains, never removes them; destroy (Carve-named only) and ignore resolve them", async () => {
    const { admin, alice, host } = await runningVms(0);
    const stray = "5e1f7a52-0000-4000-8000-000000000001";
    tick(5_000);
    await reconcileHosts(core, { everyMs: 30_000 });
    await answerInventory(host.id, [domainOf(stray, "running"), { name: "windows-test", uuid: "w", state: "stopped" }]);
    const open = await listDrift(core, admin);
    expect(open.map((d) => [d.domainName, d.state, d.host.name])).toEqual([
      [`carve-${stray}`, "Open", "host-1"],
      ["windows-test", "Open", "host-1"],
    ]);
    expect(await core.db.event.count({ where: { type: "host.drift" } })).toBe(2);
    await expect(listDrift(core, alice)).rejects.toMatchObject({ code: "FORBIDDEN" });

    const foreign = open.find((d) => d.domainName === "windows-test");
    const refused = await destroyDrift(core, admin, foreign?.id ?? "").catch((e: CarveError) => e);
    expect(refused).toMatchObject({ code: "INVALID_STATE" });
    expect((refused as CarveError).message).toContain("was not created by Carve, so Carve will not destroy it");
    await ignoreDrift(core, admin, foreign?.id ?? "");

    const ours = open.find((d) => d.vmId === stray);
    const job = await destroyDrift(core, admin, ours?.id ?? "");
    expect(core.queues.jobs.get(job.id)?.envelope.payload).toEqual({ vmId: stray, volumes: [] });
    expect((await listDrift(core, admin)).map((d) => [d.domainName, d.state])).toEqual([[`carve-${stray}`, "Destroying"]]);
    core.queues.settle(job.id, { result: { vmId: stray, removedDomain: true, removedVolumes: [] } });
    await sweepJobs(core);

    // The next inventory no longer has it: resolved. The ignored one stays ignored.
    tick(31_000);
    await reconcileHosts(core, { everyMs: 30_000 });
    await answerInventory(host.id, [{ name: "windows-test", uuid: "w", state: "stopped" }]);
    expect(await listDrift(core, admin)).toEqual([]);
    expect((await listDrift(core, admin, { all: true })).map((d) => [d.domainName, d.state])).toEqual([
      [`carve-${stray}`, "Resolved"],
      ["windows-test", "Ignored"],
    ]);
    await expect(destroyDrift(core, admin, "nope")).rejects.toMatchObject({ code: "DRIFT_NOT_FOUND" });
  });

  // networks (issue 17)
  it("lists DHCP/DNS entries of Carve's networks that no Carve NIC has and filters of VMs that are not there; destroy removes one through drift.remove", async () => {
    const { admin, alice, host } = await runningVms(0);
    await createNetwork(core, admin, { name: "dev", kind: "Managed", cidr: "10.7.0.0/24", gateway: "10.7.0.1", rangeStart: "10.7.0.10", rangeEnd: "10.7.0.20", dnsDomain: "dev.example.com", hosts: ["host-1"], isDefault: true });
    const { vm, job } = await createVm(core, alice, { name: "web", template: "tiny", offering: "small" });
    core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: `/p/${vm.id}` } });
    await sweepJobs(core);
    const nic = await core.db.nic.findFirstOrThrow({ where: { vmId: vm.id } });
    const ghost = "5e1f7a52-0000-4000-8000-0000000000aa";
    const stray = { mac: "02:00:00:aa:bb:cc", ip: "10.7.0.77", name: "stray" };
    const networks = (dhcp: (typeof stray)[], dns: { ip: string; hostnames: string[] }[]) => [
      { name: "dev", dhcpHosts: [{ mac: nic.mac, ip: "10.7.0.10", name: "web" }, ...dhcp], dnsHosts: [{ ip: "10.7.0.10", hostnames: ["web.dev.example.com"] }, ...dns] },
      // Not Carve's network: its entries are the host's business.
      { name: "default", dhcpHosts: [{ mac: "02:00:00:00:00:01", ip: "192.168.122.5", name: null }], dnsHosts: [] },
    ];
    const answer = async (result: Record<string, unknown>) => {
      tick(31_000);
      await reconcileHosts(core, { everyMs: 30_000 });
      const asked = await core.db.job.findFirstOrThrow({ where: { hostId: host.id, kind: "host.inventory", state: { in: ["Queued", "Running"] } } });
      core.queues.settle(asked.id, { result: { hostname: "h", cpus: 8, memoryMiB: 16384, domains: [domainOf(vm.id, "running")], pools: [], ...result } });
      await sweepJobs(core);
    };

    await answer({ networks: networks([stray], [{ ip: "10.7.0.77", hostnames: ["stray.dev.example.com"] }]), filters: [`carve-vm-${vm.id}`, `carve-vm-${ghost}`] });
    const open = await listDrift(core, admin);
    // Seen at once: by name.
    expect(open.map((d) => [d.kind, d.domainName, d.state])).toEqual([
      ["Filter", `carve-vm-${ghost}`, "Open"],
      ["DhcpHost", "dev/02:00:00:aa:bb:cc/10.7.0.77", "Open"],
      ["DnsHost", "dev/10.7.0.77", "Open"],
    ]);
    expect(open.find((d) => d.kind === "DhcpHost")).toMatchObject({ network: "dev", mac: stray.mac, ip: stray.ip, note: expect.stringContaining("no Carve VM's NIC has") });
    expect(open.find((d) => d.kind === "Filter")?.note).toBe(`network filter carve-vm-${ghost} on host-1 is stale: this Carve has no VM ${ghost}.`);
    const event = await core.db.event.findFirstOrThrow({ where: { type: "host.drift", message: { contains: "DHCP host entry Carve did not make" } } });
    expect(event.hostId).toBe(host.id);

    const dhcp = open.find((d) => d.kind === "DhcpHost");
    const cleanup = await destroyDrift(core, admin, dhcp?.id ?? "");
    expect(core.queues.jobs.get(cleanup.id)).toMatchObject({ hostId: host.id, name: "drift.remove", envelope: { payload: { kind: "dhcp-host", network: "dev", mac: stray.mac, ip: stray.ip } } });
    const filterJob = await destroyDrift(core, admin, open.find((d) => d.kind === "Filter")?.id ?? "");
    expect(core.queues.jobs.get(filterJob.id)?.envelope.payload).toEqual({ kind: "filter", name: `carve-vm-${ghost}` });
    core.queues.settle(cleanup.id, { result: { removed: true } });
    core.queues.settle(filterJob.id, { result: { removed: true } });
    await sweepJobs(core);

    // The next inventory no longer has them: resolved; the DNS record is still open.
    await answer({ networks: networks([], [{ ip: "10.7.0.77", hostnames: ["stray.dev.example.com"] }]), filters: [`carve-vm-${vm.id}`] });
    expect((await listDrift(core, admin)).map((d) => d.domainName)).toEqual(["dev/10.7.0.77"]);
    expect((await listDrift(core, admin, { all: true })).filter((d) => d.state === "Resolved").map((d) => d.kind).sort()).toEqual(["DhcpHost", "Filter"]);
    // An agent that does not report networks and filters leaves their items as they were.
    await answer({});
    expect((await listDrift(core, admin)).map((d) => d.domainName)).toEqual(["dev/10.7.0.77"]);
  });

  it("lists files in Carve's pools that no volume or template copy owns (issue 19); destroy deletes Carve-named ones through drift.remove and refuses others", async () => {
    const { admin, host, vms } = await runningVms(1);
    const root = await core.db.volume.findFirstOrThrow({ where: { vmId: vms[0]?.id ?? "" } });
    const copy = await core.db.templateCopy.findFirstOrThrow();
    const leftover = "carve-5e1f7a52-0000-4000-8000-0000000000bb.qcow2";
    const answer = async (volumes: string[]) => {
      tick(31_000);
      await reconcileHosts(core, { everyMs: 30_000 });
      const asked = await core.db.job.findFirstOrThrow({ where: { hostId: host.id, kind: "host.inventory", state: { in: ["Queued", "Running"] } } });
      const pool = { name: "default", capacityBytes: 1, allocationBytes: 0, availableBytes: 1, volumes, sizes: Object.fromEntries(volumes.map((v) => [v, 2 * 1024 ** 3])) };
      core.queues.settle(asked.id, { result: { hostname: "h", cpus: 8, memoryMiB: 16384, domains: vms.map((vm) => domainOf(vm.id, "running")), pools: [pool, { ...pool, name: "not-carves", volumes: ["x.img"] }] } });
      await sweepJobs(core);
    };
    // The VM's disk, the template's copy and a migration's copy in flight are Carve's; a pool Carve does not manage is not looked at.
    await answer([root.libvirtName, copy.volumeName, `${leftover}.partial`, leftover, "notes.iso"]);
    const open = await listDrift(core, admin);
    expect(open.map((d) => [d.kind, d.domainName, d.pool, d.state])).toEqual([
      ["Volume", `default/${leftover}`, "default", "Open"],
      ["Volume", "default/notes.iso", "default", "Open"],
    ]);
    expect(open[0]?.note).toBe(`pool pool-1 on host-1 holds ${leftover} (2.0 GiB), which no Carve volume or template copy owns. It is named like a Carve disk (left by a move, or a delete that failed): remove it with 'carve drift destroy', or leave it with 'carve drift ignore'.`);

    const cleanup = await destroyDrift(core, admin, open[0]?.id ?? "");
    expect(core.queues.jobs.get(cleanup.id)).toMatchObject({ hostId: host.id, name: "drift.remove", envelope: { payload: { kind: "volume", pool: "default", name: leftover } } });
    const refused = await destroyDrift(core, admin, open[1]?.id ?? "").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CarveError);
    expect((refused as CarveError).message).toBe(
      `default/notes.iso on host host-1 was not named by Carve, so Carve will not delete it: it may be someone's on purpose. Remove it on the host ('virsh vol-delete --pool default notes.iso'), or leave it with 'carve drift ignore ${open[1]?.id ?? ""}'.`,
    );
    core.queues.settle(cleanup.id, { result: { removed: true } });
    await sweepJobs(core);
    await answer([root.libvirtName, copy.volumeName, "notes.iso"]);
    expect((await listDrift(core, admin)).map((d) => d.domainName)).toEqual(["default/notes.iso"]);
    expect((await listDrift(core, admin, { all: true })).find((d) => d.domainName === `default/${leftover}`)?.state).toBe("Resolved");
  });

  it("refuses to destroy a domain named after a VM Carve still has (it may be that VM, moved outside Carve)", async () => {
    const { admin, vms } = await runningVms(1);
    const [vm] = vms;
    const seed = await seedSecondHost();
    tick(5_000);
    await reconcileHosts(core, { everyMs: 30_000 });
    await answerInventory(seed.id, [domainOf(vm?.id ?? "", "running")]);
    const [item] = await listDrift(core, admin);
    expect(item?.note).toContain("which Carve places on host-1");
    await expect(destroyDrift(core, admin, item?.id ?? "")).rejects.toThrow(/it may be that very VM, moved outside Carve/);
  });
});

async function seedSecondHost() {
  const host = await core.db.host.create({ data: { name: "host-2", uri: "test:///default", state: "Up", cpus: 8, memoryMiB: 16384 } });
  beat(host.id);
  return host;
}

describe("job watchdog", () => {
  it("fails a job whose host went silent, leaves the VM Unknown; a late result changes nothing and reconciliation settles it", async () => {
    const { alice, host, vms } = await runningVms(1);
    const [vm] = vms;
    if (!vm) throw new Error("no VM");
    const stop = await stopVm(core, alice, { vm: vm.id });
    tick(GRACE + 1_000);
    await refreshHostStates(core, { graceMs: GRACE });
    expect(await vmState(vm.id)).toBe("Stopping"); // the job still has a grace period to be answered
    expect((await watchJobs(core, { graceMs: GRACE })).abandoned).toBe(0);
    tick(GRACE);
    await refreshHostStates(core, { graceMs: GRACE });
    expect((await watchJobs(core, { graceMs: GRACE })).abandoned).toBe(1);

    const failed = await core.db.job.findUniqueOrThrow({ where: { id: stop.id } });
    expect(failed).toMatchObject({ state: "Failed", errorCode: "HOST_SILENT" });
    expect(failed.errorMessage).toBe(
      "host host-1 stopped answering (no heartbeat for 21 s) while stop of VM vm-0 was queued; the job was abandoned and vm-0 was left in state Unknown: Carve sets its real state from the host's report once the host answers.",
    );
    const row = await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(row).toMatchObject({ state: "Unknown", activeJobId: null });
    expect(core.queues.jobs.has(stop.id)).toBe(false); // taken off the queue, so a returning agent does not run it
    expect(await allocated(host.id)).toEqual([1, 512]);

    // The agent's late answer is harmless.
    expect(await finaliseJob(core, stop.id, { ok: true, result: { vmId: vm.id, state: "stopped", forced: false } })).toBe(false);
    expect(await vmState(vm.id)).toBe("Unknown");

    beat(host.id);
    await refreshHostStates(core, { graceMs: GRACE });
    await answerInventory(host.id, [domainOf(vm.id, "stopped")]);
    expect(await vmState(vm.id)).toBe("Stopped");
  });

  it("a create abandoned on a silent host keeps its capacity until reconciliation finds the domain (or not)", async () => {
    const { alice, host } = await runningVms(0);
    const { vm } = await createVm(core, alice, { name: "late", template: "tiny", offering: "small" });
    tick(2 * GRACE + 1_000);
    await refreshHostStates(core, { graceMs: GRACE });
    await watchJobs(core, { graceMs: GRACE });
    expect(await vmState(vm.id)).toBe("Unknown");
    expect(await allocated(host.id)).toEqual([1, 512]);
    beat(host.id);
    await refreshHostStates(core, { graceMs: GRACE });
    await answerInventory(host.id, [domainOf(vm.id, "running")]);
    expect(await vmState(vm.id)).toBe("Running");
    expect((await core.db.volume.findFirstOrThrow({ where: { vmId: vm.id } })).state).toBe("Attached");
  });

  it("fails a job stuck for too long on a host that still heartbeats, naming what its queue says", async () => {
    const { alice, host, vms } = await runningVms(1);
    const stop = await stopVm(core, alice, { vm: vms[0]?.id ?? "" });
    core.queues.lose(stop.id);
    core.queues.offline = true; // the sweep cannot resend it either
    tick(61_000);
    beat(host.id);
    await refreshHostStates(core, { graceMs: GRACE });
    core.queues.offline = false;
    expect((await watchJobs(core, { graceMs: GRACE, stuckMs: 60_000 })).abandoned).toBe(1);
    const failed = await core.db.job.findUniqueOrThrow({ where: { id: stop.id } });
    expect(failed.errorCode).toBe("JOB_STUCK");
    expect(failed.errorMessage).toMatch(/^the job made no progress for 61 s: its host's queue no longer has it while stop of VM vm-0 was queued/);
  });
});
