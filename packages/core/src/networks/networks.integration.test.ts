import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createTestCore, createTestUser, refusal, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { destroyVm } from "../vms/destroy-vm.ts";
import { getVm } from "../vms/get-vm.ts";
import { listVms } from "../vms/list-vms.ts";
import { findMoveTargets, loadMovingVms } from "../vms/move/move-targets.ts";
import { planVm } from "../vms/plan-vm.ts";
import { loadPlacementHosts } from "../placement/host-snapshot.ts";
import { readPlacementSettings } from "../settings/placement-settings.ts";
import { createOffering } from "../offerings/create-offering.ts";
import { createNetwork } from "./create-network.ts";
import { deleteNetwork } from "./delete-network.ts";
import { getNetwork } from "./get-network.ts";
import { listNetworks } from "./list-networks.ts";
import { updateNetwork } from "./update-network.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const DEV_LAN = { name: "dev-lan", kind: "Managed", cidr: "10.0.0.0/24", gateway: "10.0.0.1", rangeStart: "10.0.0.10", rangeEnd: "10.0.0.159", dnsDomain: "dev.example.com" } as const;

/** Plays the agent for a job, then lets the controller's sweep finalise it. */
async function agentAnswers(jobId: string, outcome: { result: unknown } | { reason: string }): Promise<void> {
  core.queues.settle(jobId, outcome);
  await sweepJobs(core);
}
const created = (vmId: string) => ({ result: { vmId, domainUuid: vmId, state: "running", rootVolumePath: `/pool/carve-${vmId}.qcow2` } });
const destroyed = (vmId: string) => ({ result: { vmId, removedDomain: true, removedVolumes: [] } });

async function destroyFinalised(actor: Parameters<typeof destroyVm>[1], vmId: string): Promise<void> {
  const job = await destroyVm(core, actor, { vm: vmId });
  await agentAnswers(job.id, destroyed(vmId));
}

describe("network validation", () => {
  it("refuses each bad input naming the field and its fix, and creates nothing", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 1 });
    await createNetwork(core, admin, { ...DEV_LAN, hosts: ["host-1"] });
    const base = { name: "lab", kind: "Managed", cidr: "10.9.0.0/24", gateway: "10.9.0.1", rangeStart: "10.9.0.10", rangeEnd: "10.9.0.99", hosts: ["host-1"] };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ cidr: "10.9.0.0/33" }, "cidr", "CIDR notation"],
      [{ cidr: "10.9.0.300/24" }, "cidr", "CIDR notation"],
      [{ cidr: "10.9.0.5/24" }, "cidr", "host bits set: the network is 10.9.0.0/24"],
      [{ cidr: "10.0.0.0/16", gateway: "10.0.200.1", rangeStart: "10.0.200.10", rangeEnd: "10.0.200.20" }, "cidr", "overlaps network dev-lan (10.0.0.0/24)"],
      [{ rangeEnd: "10.9.1.20" }, "rangeEnd", "10.9.1.20 is outside 10.9.0.0/24: choose an address between 10.9.0.1 and 10.9.0.254"],
      [{ rangeStart: "10.9.0.0" }, "rangeStart", "is outside 10.9.0.0/24"],
      [{ rangeStart: "10.9.0.99", rangeEnd: "10.9.0.10" }, "rangeStart", "10.9.0.99 is after rangeEnd 10.9.0.10"],
      [{ rangeEnd: undefined }, "rangeEnd", "give both rangeStart and rangeEnd"],
      [{ gateway: "10.9.0.50" }, "gateway", "10.9.0.50 is inside the range 10.9.0.10–10.9.0.99: Carve would hand it to a VM"],
      [{ gateway: "10.8.0.1" }, "gateway", "10.8.0.1 is outside 10.9.0.0/24"],
      [{ gateway: "ten" }, "gateway", "must be an IPv4 address"],
      [{ gateway: undefined }, "gateway", "is required for a Managed network"],
      [{ kind: "Bridge" }, "bridge", "is required for a Bridge network"],
      [{ dnsDomain: "Dev_Lan" }, "dnsDomain", "must be a DNS domain"],
      [{ hosts: [] }, "hosts", "needs at least one host"],
      [{ vlan: 12 }, "vlan", "is not a field of this request"],
      [{ name: "dev-lan", cidr: "10.7.0.0/24", gateway: "10.7.0.1", rangeStart: "10.7.0.10", rangeEnd: "10.7.0.20" }, "name", "is already used by another network"],
    ];
    for (const [change, field, text] of cases) {
      const error = await refusal(createNetwork(core, admin, { ...base, ...change }));
      expect(error.fields.map((f) => f.field), JSON.stringify(change)).toContain(field);
      expect(error.fields.find((f) => f.field === field)?.message, JSON.stringify(change)).toContain(text);
    }
    const unknownHost = await refusal(createNetwork(core, admin, { ...base, hosts: ["host-1", "kvm-9"] }));
    expect(unknownHost).toMatchObject({ code: "HOST_NOT_FOUND", fields: [{ field: "hosts", message: "'kvm-9' is not a registered host" }] });
    expect((await refusal(createNetwork(core, alice, base))).code).toBe("FORBIDDEN");
    // Nothing half-created: only dev-lan, with its one host link.
    expect((await core.db.network.findMany()).map((n) => n.name)).toEqual(["dev-lan"]);
    expect(await core.db.networkHost.count()).toBe(1);
    // The valid one goes through, and the list shows both with their range sizes.
    await createNetwork(core, admin, base);
    expect((await listNetworks(core, admin)).map((n) => [n.name, n.rangeSize, n.hosts.map((h) => h.name)])).toEqual([
      ["dev-lan", 150, ["host-1"]],
      ["lab", 90, ["host-1"]],
    ]);
  });
});

describe("address management", () => {
  it("200 concurrent creates on a range of 150 free addresses: 150 VMs with distinct addresses, 50 NETWORK_FULL, and a destroy frees one for reuse", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 2, cpus: 256, memoryMiB: 256_000 });
    await createNetwork(core, admin, { ...DEV_LAN, hosts: ["host-1", "host-2"], isDefault: true });

    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => createVm(core, alice, { name: `load-${i}`, template: "tiny", offering: "small" })));
    const placed = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as CarveError] : []));
    expect(placed).toHaveLength(150);
    expect(refused).toHaveLength(50);
    for (const error of refused) {
      expect(error.code).toBe("NETWORK_FULL");
      expect(error.message).toBe(
        "Network dev-lan (10.0.0.0/24, range 10.0.0.10–10.0.0.159, 150 addresses) is full: 150 VMs use it. Destroy VMs on it or widen its range (carve network update dev-lan --range …).",
      );
    }
    const ips = placed.map((c) => c.vm.ipAddress);
    expect(new Set(ips).size).toBe(150);
    const expected = Array.from({ length: 150 }, (_, i) => `10.0.0.${10 + i}`);
    expect([...ips].sort()).toEqual([...expected].sort());
    // The database agrees: 150 VMs, 150 NICs with distinct addresses and MACs, no capacity held for the refused.
    const nics = await core.db.nic.findMany();
    expect(nics).toHaveLength(150);
    expect(new Set(nics.map((n) => n.ip)).size).toBe(150);
    expect(new Set(nics.map((n) => n.mac)).size).toBe(150);
    for (const nic of nics) expect(nic.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(await core.db.vm.count()).toBe(150);
    expect((await core.db.host.findMany()).reduce((sum, h) => sum + h.vcpusAllocated, 0)).toBe(150);
    expect(core.queues.byName("vm.create")).toHaveLength(150);
    // Each vm.create payload carries its NIC, as the database has it.
    const byVm = new Map(nics.map((n) => [n.vmId, n]));
    for (const { vm, job } of placed) {
      const nic = byVm.get(vm.id);
      expect(core.queues.jobs.get(job.id)?.envelope.payload).toMatchObject({
        nics: [{ network: { kind: "managed", name: "dev-lan" }, mac: nic?.mac, ip: nic?.ip, prefix: 24, gateway: "10.0.0.1", hostname: `${vm.name}.dev.example.com` }],
      });
    }

    // The views carry the address, the MAC and the DNS name.
    const first = placed.find((c) => c.vm.ipAddress === "10.0.0.10");
    if (!first) throw new Error("no VM got the first address");
    const view = await getVm(core, alice, { vm: first.vm.id });
    expect(view.addresses).toEqual([{ network: "dev-lan", mac: byVm.get(first.vm.id)?.mac, ip: "10.0.0.10", hostname: `${first.vm.name}.dev.example.com` }]);
    expect(view.ipAddress).toBe("10.0.0.10");
    const listed = await listVms(core, alice, { limit: 200 });
    expect(listed.items.every((v) => v.addresses.length === 1 && v.addresses[0]?.ip === v.ipAddress)).toBe(true);

    // Destroyed (finalised), its address is free again, and the next create gets exactly it.
    await agentAnswers(first.job.id, created(first.vm.id));
    const destroy = await destroyVm(core, alice, { vm: first.vm.id });
    expect(await core.db.nic.count({ where: { vmId: first.vm.id } })).toBe(1); // held until the destroy is done
    await agentAnswers(destroy.id, destroyed(first.vm.id));
    expect(await core.db.nic.count({ where: { vmId: first.vm.id } })).toBe(0);
    const history = await listVms(core, alice, { state: "Destroyed" });
    expect(history.items.map((v) => [v.name, v.ipAddress, v.addresses])).toEqual([[first.vm.name, null, []]]);
    const again = await createVm(core, alice, { name: "reuse", template: "tiny", offering: "small" });
    expect(again.vm.ipAddress).toBe("10.0.0.10");
    expect((await refusal(createVm(core, alice, { name: "one-too-many", template: "tiny", offering: "small" }))).code).toBe("NETWORK_FULL");
  });

  it("an offering's network wins over the default; without any network a VM gets no NIC, as before", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 1 });
    const bare = await createVm(core, alice, { name: "bare", template: "tiny", offering: "small" });
    expect(bare.vm.ipAddress).toBeNull();
    expect((core.queues.jobs.get(bare.job.id)?.envelope.payload as { nics?: unknown }).nics).toBeUndefined();
    await createNetwork(core, admin, { ...DEV_LAN, hosts: ["host-1"], isDefault: true });
    const lan = await createNetwork(core, admin, { name: "office", kind: "Bridge", bridge: "br0", cidr: "192.168.10.0/24", hosts: ["host-1"] });
    expect((await refusal(createOffering(core, admin, { name: "lan-vm", vcpus: 1, memoryMiB: 512, network: "nowhere" }))).fields).toEqual([{ field: "network", message: "'nowhere' is not a network" }]);
    expect(await createOffering(core, admin, { name: "lan-vm", vcpus: 1, memoryMiB: 512, network: "office" })).toMatchObject({ networkId: lan.id });
    const onDefault = await createVm(core, alice, { name: "a", template: "tiny", offering: "small" });
    const onOffice = await createVm(core, alice, { name: "b", template: "tiny", offering: "lan-vm" });
    expect(onDefault.vm.ipAddress).toBe("10.0.0.10");
    // A bridge without a range: a MAC from Carve, the address from the LAN's DHCP (learned later).
    expect(onOffice.vm.ipAddress).toBeNull();
    expect(core.queues.jobs.get(onOffice.job.id)?.envelope.payload).toMatchObject({ nics: [{ network: { kind: "bridge", name: "br0" }, ip: null, hostname: null }] });
    expect((await getVm(core, alice, { vm: "b" })).addresses).toMatchObject([{ network: "office", ip: null, hostname: null }]);
  });
});

describe("networks in use", () => {
  it("refuses a change of addressing or a delete while VMs use the network, naming them; widening the range is fine", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 2 });
    await createNetwork(core, admin, { ...DEV_LAN, hosts: ["host-1", "host-2"], isDefault: true });
    const web = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    await createVm(core, alice, { name: "db-1", template: "tiny", offering: "small" });

    const cidr = await refusal(updateNetwork(core, admin, { network: "dev-lan", cidr: "10.1.0.0/24", gateway: "10.1.0.1", rangeStart: "10.1.0.10", rangeEnd: "10.1.0.20" }));
    expect(cidr.code).toBe("NETWORK_IN_USE");
    expect(cidr.message).toContain("Cannot change the CIDR of network dev-lan: 2 VMs use it (db-1 (alice, 10.0.0.11), web-1 (alice, 10.0.0.10))");
    expect((await refusal(updateNetwork(core, admin, { network: "dev-lan", gateway: "10.0.0.254" }))).message).toContain("Cannot change the gateway of network dev-lan");
    const narrowed = await refusal(updateNetwork(core, admin, { network: "dev-lan", rangeStart: "10.0.0.11", rangeEnd: "10.0.0.50" }));
    expect(narrowed.message).toContain("Cannot change the range of network dev-lan: 1 VM uses it (web-1 (alice, 10.0.0.10))");
    const hosts = await refusal(updateNetwork(core, admin, { network: "dev-lan", hosts: web.vm.hostId === (await core.db.host.findFirst({ where: { name: "host-1" } }))?.id ? ["host-2"] : ["host-1"] }));
    expect(hosts.message).toContain("Cannot change the hosts of network dev-lan");
    expect(hosts.message).toContain("web-1");
    // Widening keeps every address inside: allowed, and what NETWORK_FULL suggests.
    expect(await updateNetwork(core, admin, { network: "dev-lan", rangeEnd: "10.0.0.200" })).toMatchObject({ rangeEnd: "10.0.0.200", rangeSize: 191 });

    const gone = await refusal(deleteNetwork(core, admin, { network: "dev-lan" }));
    expect(gone.code).toBe("HAS_DEPENDENTS");
    expect(gone.message).toContain("Network dev-lan is still used by 2 VMs (db-1 (alice, 10.0.0.11), web-1 (alice, 10.0.0.10))");
    expect((await getNetwork(core, admin, { network: "dev-lan" })).vms.map((v) => [v.name, v.ip])).toEqual([["db-1", "10.0.0.11"], ["web-1", "10.0.0.10"]]);
    expect(await core.db.network.findUnique({ where: { name: "dev-lan" }, select: { cidr: true, gateway: true, rangeStart: true } })).toEqual({ cidr: "10.0.0.0/24", gateway: "10.0.0.1", rangeStart: "10.0.0.10" });

    // Once their destroys are finalised, the network can change and go.
    for (const vm of await core.db.vm.findMany()) {
      const job = await core.db.job.findFirstOrThrow({ where: { vmId: vm.id, kind: "vm.create" } });
      await agentAnswers(job.id, created(vm.id));
      await destroyFinalised(alice, vm.id);
    }
    expect(await updateNetwork(core, admin, { network: "dev-lan", gateway: "10.0.0.254" })).toMatchObject({ gateway: "10.0.0.254" });
    expect(await deleteNetwork(core, admin, { network: "dev-lan" })).toMatchObject({ name: "dev-lan" });
    expect(await core.db.network.count()).toBe(0);
  });

  it("placement only picks hosts that have the VM's network and explains each other host", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 2, cpus: 2 });
    await createNetwork(core, admin, { ...DEV_LAN, hosts: ["host-1"], isDefault: true });
    const host1 = await core.db.host.findFirstOrThrow({ where: { name: "host-1" } });
    // host-2 is the emptier one, but it lacks dev-lan.
    await core.db.host.update({ where: { id: host1.id }, data: { memMiBAllocated: 1024 } });
    const plan = await planVm(core, alice, { name: "p", template: "tiny", offering: "small" });
    expect(plan).toMatchObject({ fits: true, host: { name: "host-1" }, rejections: [{ host: "host-2", reason: "has no network dev-lan" }] });
    const a = await createVm(core, alice, { name: "a", template: "tiny", offering: "small" });
    const b = await createVm(core, alice, { name: "b", template: "tiny", offering: "small" });
    expect([a.vm.hostId, b.vm.hostId]).toEqual([host1.id, host1.id]);
    const full = await refusal(createVm(core, alice, { name: "c", template: "tiny", offering: "small" }));
    expect(full.code).toBe("NO_CAPACITY");
    expect(full.message).toContain("host-1 has 0 free vCPUs, 1 needed");
    expect(full.message).toContain("host-2 has no network dev-lan");
    // The refused create reserved no address: the next free one is still 10.0.0.12.
    expect(await core.db.nic.count()).toBe(2);
  });

  it("a VM moves only to hosts that have its network", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    const { template } = await seedInfra(core, { hosts: 3 });
    await createNetwork(core, admin, { ...DEV_LAN, hosts: ["host-1", "host-3"], isDefault: true });
    const { vm } = await createVm(core, alice, { name: "mover", template: "tiny", offering: "small" });
    const [moving] = await loadMovingVms(core.db, { id: vm.id });
    if (!moving) throw new Error("VM not loaded");
    expect(moving.networks).toEqual([{ id: expect.any(String), name: "dev-lan" }]);
    const hosts = await core.db.$transaction((tx) => loadPlacementHosts(tx, template.id));
    const targets = findMoveTargets(moving, hosts, await readPlacementSettings(core.db), { live: false, migrationUris: new Map() });
    const other = vm.hostId === hosts.find((h) => h.name === "host-1")?.id ? "host-3" : "host-1";
    expect(targets.candidates.map((c) => c.host.name)).toEqual([other]);
    expect(targets.rejections).toContainEqual({ host: "host-2", reason: "has no network dev-lan" });
  });
});
