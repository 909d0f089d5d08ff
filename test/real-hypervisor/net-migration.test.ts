import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createNetwork, createOffering, createVm, destroyVm, getNetwork, getVm, migrateVm, openVmPort, type TActor } from "@carve/core";
import { domainName, vmFilterName } from "@carve/protocol";
import { readConsoleLog, waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { guestGet, tcpConnect, testSubnet } from "../lib/hypervisor/guest-net.ts";
import { startLanBridge } from "../lib/hypervisor/lan-bridge.ts";
import { TINY_BOOT_MARKER, TINY_HTTP_PORT, TINY_IP_PREFIX, TINY_SSH_PORT, TINY_TICK_PREFIX } from "../lib/hypervisor/tiny-image.ts";
import { useTwoRealHostsSuite, type TTwoRealHosts } from "../lib/hypervisor/two-hosts.ts";
import { virsh, virshMaybe } from "../lib/hypervisor/virsh.ts";
import { until, type Stack } from "../lib/stack/stack.ts";

// Issue 17's last acceptance point on the real lane: a guest on a Carve `bridge` network keeps its
// address and its security-group filter through a live migration. The two hosts are root libvirtd
// daemons in mount namespaces of their own (session daemons cannot make taps or nwfilter rules);
// sharing this machine's network namespace, both plug into one Linux bridge, the test's "company
// LAN", whose DHCP server (a dnsmasq) hands out the addresses Carve allocated. One guest, shared
// by the tests below, which run in order.

const id = randomBytes(3).toString("hex");
const subnet = testSubnet();
const VM = "mig-net";
const TICK = new RegExp(`${TINY_TICK_PREFIX} (\\d+)`);

let stack: Stack;
let admin: TActor;
let dev: TActor;
let two: TTwoRealHosts;
type THost = TTwoRealHosts["hosts"][number];
let lanReserve: (entry: { mac: string; ip: string; hostname: string }) => Promise<void> = () => Promise.reject(new Error("the LAN was not set up"));
const guest = { vmId: "", ip: "", source: undefined as THost | undefined, target: undefined as THost | undefined };

useTwoRealHostsSuite(
  async (suite) => {
    ({ stack, admin, dev, two } = suite);
    const lan = await startLanBridge(`carvemig-${id.slice(0, 4)}`, subnet, two.base);
    two.cleanup.push("stop the test LAN (dnsmasq, bridge)", () => lan.stop());
    await createNetwork(stack.core, admin, { name: `lan-${id}`, kind: "Bridge", bridge: lan.bridge, ...subnet, hosts: two.hosts.map((h) => h.host.id), isDefault: true });
    // Each agent checks the bridge on its host (network.define): the network is Up on both.
    await until(async () => (await getNetwork(stack.core, admin, { network: `lan-${id}` })).hosts.every((h) => h.state === "Up"), 60_000, `network lan-${id} to be Up on both hosts`);
    await until(async () => (await stack.core.db.host.count({ where: { migrationUri: null } })) === 0, 30_000, "the hosts' migration URIs");
    // The root disk on the shared pool: the live migration copies memory only (cheap under TCG).
    await createOffering(stack.core, admin, { name: "tiny-shared", vcpus: 1, memoryMiB: 128, rootDiskGiB: 1 });
    await stack.core.db.serviceOffering.update({ where: { name: "tiny-shared" }, data: { rootScope: "Shared" } });
    lanReserve = (entry) => lan.reserve(entry);
  },
  240_000,
  // Each agent tells the other how to reach its libvirtd and where QEMU takes the migration stream.
  { daemons: "root", agentEnvOf: (_, uri) => ({ CARVE_MIGRATION_URI: uri, CARVE_MIGRATION_ADDRESS: "tcp://127.0.0.1" }) },
);

/** The highest tick the guest has printed in a console log (0: none yet). */
async function lastTick(path: string): Promise<number> {
  const ticks = [...(await readConsoleLog(path)).matchAll(new RegExp(TICK, "g"))].map((m) => Number(m[1]));
  return ticks.length > 0 ? Math.max(...ticks) : 0;
}

function host(which: "source" | "target"): THost {
  const found = guest[which];
  if (!found) throw new Error(`no ${which} host: an earlier test failed`);
  return found;
}

/** Waits for every security-group filter job to end, and fails with the agent's message if one did not succeed. */
async function filtersApplied(): Promise<void> {
  const db = stack.core.db;
  await until(async () => (await db.job.count({ where: { kind: "vm.filter", state: { in: ["Queued", "Running"] } } })) === 0, 60_000, "the vm.filter jobs to end");
  expect(await db.job.findMany({ where: { kind: "vm.filter", state: { not: "Succeeded" } }, select: { state: true, errorMessage: true } })).toEqual([]);
}

/** The VM's filter as a host's libvirtd has it: defined, and referenced by the domain's NIC. */
async function filterOn(h: THost): Promise<{ defined: boolean; referenced: boolean }> {
  const filter = vmFilterName(guest.vmId);
  const list = await virsh(h.uri, ["nwfilter-list"]);
  const xml = (await virshMaybe(h.uri, ["dumpxml", domainName(guest.vmId)])) ?? "";
  return { defined: new RegExp(`\\s${filter}\\s*$`, "m").test(list), referenced: xml.includes(`<filterref filter='${filter}'`) };
}

describe("live migration keeps a guest's address and its filter (real lane, two root libvirtd hosts on one bridge)", () => {
  it("a guest on a Carve bridge network answers on 22 from the host at Carve's address; 8080 is filtered", async () => {
    const { vm, job } = await createVm(stack.core, dev, { name: VM, template: "tiny", offering: "tiny-shared" });
    const [address] = (await getVm(stack.core, dev, { vm: vm.id })).addresses;
    if (!address?.ip) throw new Error(`${VM} has no address from Carve`);
    // The LAN's DHCP server learns the reservation; the guest's DHCP client keeps asking until it does.
    await lanReserve({ mac: address.mac, ip: address.ip, hostname: VM });
    expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
    const view = await getVm(stack.core, dev, { vm: vm.id });
    guest.vmId = vm.id;
    guest.ip = address.ip;
    guest.source = two.hosts.find((h) => h.host.id === view.host?.id);
    guest.target = two.hosts.find((h) => h.host.id !== view.host?.id);
    const source = host("source");
    expect(await virsh(source.uri, ["domiflist", domainName(vm.id)])).toMatch(new RegExp(`bridge\\s+${`carvemig-${id.slice(0, 4)}`}\\s+virtio\\s+${address.mac}`));

    expect((await waitForConsoleLine(source.consoleLog(vm.id), TINY_IP_PREFIX, 120_000)).line).toBe(`${TINY_IP_PREFIX} ${address.ip}`);
    const ip = address.ip;
    await until(async () => (await guestGet(ip, TINY_SSH_PORT, "/", 1_000)).ok, 60_000, `${VM} to answer on ${ip}:${TINY_SSH_PORT}`);
    expect(await guestGet(address.ip, TINY_SSH_PORT)).toEqual({ ok: true, body: `${VM} ${address.ip}` });
    // The guest listens on 8080 too, but the default group does not let it in: the filter drops the SYN.
    expect(await tcpConnect(address.ip, TINY_HTTP_PORT)).toBe("no answer");
    expect(await filterOn(source)).toEqual({ defined: true, referenced: true });
  }, 300_000);

  it("after a live migration through Carve: same address, 22 answers, 8080 still filtered, the filter is on the target, the guest never rebooted", async () => {
    const [source, target] = [host("source"), host("target")];
    const before = await lastTick(source.consoleLog(guest.vmId));
    expect(before).toBeGreaterThan(0);
    const done = await stack.finish(admin, (await migrateVm(stack.core, admin, { vm: VM })).id, 300_000);
    expect(done.errorMessage).toBeNull();
    expect(done.state).toBe("Succeeded");
    console.info(`[net migration] ${source.host.name} → ${target.host.name}: virsh migrate ${(done.result as { durationMs: number }).durationMs} ms`);

    const after = await getVm(stack.core, dev, { vm: VM });
    expect(after).toMatchObject({ state: "Running", host: { id: target.host.id } });
    expect(after.addresses.map((a) => a.ip)).toEqual([guest.ip]);
    expect(await virsh(target.uri, ["domstate", domainName(guest.vmId)])).toBe("running");
    expect(await virshMaybe(source.uri, ["domstate", domainName(guest.vmId)])).toBeNull();

    expect(await guestGet(guest.ip, TINY_SSH_PORT)).toEqual({ ok: true, body: `${VM} ${guest.ip}` });
    expect(await tcpConnect(guest.ip, TINY_HTTP_PORT)).toBe("no answer");
    expect(await filterOn(target)).toEqual({ defined: true, referenced: true });
    // …and only there: the source's agent removed the VM's filter after the move.
    expect(await filterOn(source)).toEqual({ defined: false, referenced: false });

    await until(async () => (await lastTick(target.consoleLog(guest.vmId))) > before + 1, 60_000, `${VM} to keep printing on ${target.host.name}`);
    expect(await readConsoleLog(target.consoleLog(guest.vmId))).not.toContain(TINY_BOOT_MARKER);
  }, 400_000);

  it("a rule added after the migration (open 8080) is in force on the new host; destroying the VM removes its filter there", async () => {
    const target = host("target");
    await openVmPort(stack.core, dev, { vm: VM, port: TINY_HTTP_PORT });
    await filtersApplied();
    expect(await guestGet(guest.ip, TINY_HTTP_PORT)).toEqual({ ok: true, body: `${VM} ${guest.ip}` });
    expect(await guestGet(guest.ip, TINY_SSH_PORT)).toEqual({ ok: true, body: `${VM} ${guest.ip}` });

    expect((await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: VM })).id)).state).toBe("Succeeded");
    expect(await filterOn(target)).toEqual({ defined: false, referenced: false });
  }, 300_000);
});
