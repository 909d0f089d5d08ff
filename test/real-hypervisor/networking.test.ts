import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  addSecurityGroupRule,
  createNetwork,
  createVm,
  destroyVm,
  getNetwork,
  getSecurityGroup,
  getVm,
  openVmPort,
  removeSecurityGroupRule,
  type TActor,
  type TNetworkView,
} from "@carve/core";
import { domainName, vmFilterName } from "@carve/protocol";
import { readConsoleLog, waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { guestGet, probeFromGuest, resolveAt, tcpConnect, testSubnet, type TGuestAnswer } from "../lib/hypervisor/guest-net.ts";
import { useRealHostSuite } from "../lib/hypervisor/real-host.ts";
import { TINY_BOOT_MARKER, TINY_IP_PREFIX, TINY_SSH_PORT, TINY_TICK_PREFIX } from "../lib/hypervisor/tiny-image.ts";
import { virsh, virshMaybe } from "../lib/hypervisor/virsh.ts";
import { until } from "../lib/stack/stack.ts";

// Issue 17's real lane: a Carve managed network on libvirtd + QEMU (TCG), two tiny guests on it
// (DHCP client, httpd on 22 and 8080, a probe CGI for guest-to-guest traffic), and the owner's
// security groups applied live as libvirt nwfilters. The guests are shared by the tests below,
// which run in order. Live migration is not here: see live-migration.test.ts's session daemons,
// which cannot create bridges (the report of issue 17 says what it would take).

const id = randomBytes(3).toString("hex");
const subnet = testSubnet();
const dnsDomain = `n${id}.test`;
let network: TNetworkView;

const suite = useRealHostSuite(async ({ stack, admin, real }) => {
  network = await createNetwork(stack.core, admin, {
    name: `net-${id}`,
    kind: "Managed",
    mode: "nat",
    ...subnet,
    dnsDomain,
    bridge: `virbr-${id}`,
    hosts: [real.host.id],
    isDefault: true,
  });
  real.cleanup.push("remove the test network from libvirt", async () => {
    for (const { id: vmId } of await stack.core.db.vm.findMany({ select: { id: true } })) await virshMaybe(real.uri, ["nwfilter-undefine", vmFilterName(vmId)]);
    await virshMaybe(real.uri, ["net-destroy", `net-${id}`]);
    await virshMaybe(real.uri, ["net-undefine", `net-${id}`]);
  });
  // The agent defines, starts and autostarts it on the host (network.define), with its dnsmasq.
  await until(async () => /^Active:\s+yes$/m.test((await virshMaybe(real.uri, ["net-info", `net-${id}`])) ?? ""), 60_000, `libvirt network net-${id} to be active on ${real.host.name}`);
});

interface TGuest {
  name: string;
  vmId: string;
  ip: string;
}
const guests: TGuest[] = [];
const guest = (index: number): TGuest => {
  const found = guests[index];
  if (!found) throw new Error(`guest ${index} was not created (an earlier test failed)`);
  return found;
};

/** Waits for every security-group filter job to end, and fails with the agent's message if one did not succeed. */
async function filtersApplied(): Promise<void> {
  const db = suite.stack.core.db;
  await until(async () => (await db.job.count({ where: { kind: "vm.filter", state: { in: ["Queued", "Running"] } } })) === 0, 60_000, "the vm.filter jobs to end");
  expect(await db.job.findMany({ where: { kind: "vm.filter", state: { not: "Succeeded" } }, select: { vmId: true, state: true, errorMessage: true } })).toEqual([]);
}

/** How the host's TCP connection to a guest's SSH port fares (the tiny guest answers HTTP there). */
const fromHost = (g: TGuest): Promise<TGuestAnswer> => guestGet(g.ip, TINY_SSH_PORT);

/** The rule of the owner's default group that lets SSH in from the company network. */
async function sshFromCompany(actor: TActor) {
  return (await getSecurityGroup(suite.stack.core, actor, { group: "default" })).rules.find((r) => r.protocol === "tcp" && r.portFrom === TINY_SSH_PORT && r.sourceKind === "company");
}

describe("guest networking on a real host: Carve's addresses, DNS and security groups (issue 17)", () => {
  it("two guests on a Carve managed network get the addresses Carve allocated, answer on TCP, and their names resolve through the network's dnsmasq", async () => {
    const { stack, dev, real } = suite;
    const started = performance.now();
    const created = await Promise.all(["web-1", "web-2"].map((name) => createVm(stack.core, dev, { name, template: "tiny", offering: "tiny" })));
    for (const { job } of created) expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
    const runningMs = Math.round(performance.now() - started);

    for (const { vm } of created) {
      const view = await getVm(stack.core, dev, { vm: vm.id });
      expect(view.state).toBe("Running");
      expect(view.addresses).toEqual([{ network: network.name, mac: expect.stringMatching(/^52:54:00(:[0-9a-f]{2}){3}$/), ip: expect.any(String), hostname: `${view.name}.${dnsDomain}` }]);
      const [address] = view.addresses;
      if (!address?.ip) throw new Error(`${view.name} has no address from Carve`);
      guests.push({ name: view.name, vmId: vm.id, ip: address.ip });
      // The domain's NIC carries Carve's MAC on the network's libvirt name.
      expect(await virsh(real.uri, ["domiflist", domainName(vm.id)])).toMatch(new RegExp(`network\\s+net-${id}\\s+virtio\\s+${address.mac}`));
    }
    expect(new Set(guests.map((g) => g.ip)).size).toBe(2);
    for (const g of guests) expect(g.ip.split(".").slice(0, 3)).toEqual(subnet.gateway.split(".").slice(0, 3));

    // Each guest's DHCP client got exactly that address (printed on its serial console).
    const [first] = guests;
    if (!first) throw new Error("no guest");
    const since = (): number => Math.round(performance.now() - started);
    await waitForConsoleLine(real.consoleLog(first.vmId), TINY_BOOT_MARKER, 90_000);
    const bootedMs = since();
    await waitForConsoleLine(real.consoleLog(first.vmId), TINY_IP_PREFIX, 60_000);
    const leasedMs = since();
    for (const g of guests) expect((await waitForConsoleLine(real.consoleLog(g.vmId), TINY_IP_PREFIX, 60_000)).line).toBe(`${TINY_IP_PREFIX} ${g.ip}`);

    // The default group lets the host in on 22 (the bridge's address is in the company network).
    let answer: TGuestAnswer = { ok: false, error: "not tried" };
    // A short timeout per try, so the figure below is not rounded up to the next 3 s.
    await until(async () => (answer = await guestGet(first.ip, TINY_SSH_PORT, "/", 1_000)).ok, 60_000, `${first.name} to answer on ${first.ip}:${TINY_SSH_PORT}`);
    const answeringMs = since();
    expect(answer).toEqual({ ok: true, body: `${first.name} ${first.ip}` });
    for (const g of guests) expect(await fromHost(g)).toEqual({ ok: true, body: `${g.name} ${g.ip}` });
    console.info(
      `[real-hypervisor networking] from create (2 VMs): both Running ${runningMs} ms, first guest's boot marker ${bootedMs} ms, its DHCP lease ${leasedMs} ms, it answers on TCP ${answeringMs} ms (the guest's own part, Running → lease: ${leasedMs - runningMs} ms)`,
    );

    for (const g of guests) expect(await resolveAt(subnet.gateway, `${g.name}.${dnsDomain}`)).toEqual([g.ip]);
    expect(await resolveAt(subnet.gateway, `nobody.${dnsDomain}`)).toEqual([]);
  }, 300_000);

  it("guest-to-guest traffic follows the groups; removing the default group's SSH rule closes the port live, adding it back opens it", async () => {
    const { stack, dev, real } = suite;
    const [web1, web2] = [guest(0), guest(1)];
    // web-2's own group opens 8080 (the probe's control port) from the company network: `/vm open web-2 8080`.
    await openVmPort(stack.core, dev, { vm: web2.name, port: 8080 });
    await filtersApplied();
    expect(await probeFromGuest(web2.ip, web1.ip, TINY_SSH_PORT)).toBe(`OK ${web1.name} ${web1.ip}`);

    const ssh = await sshFromCompany(dev);
    if (!ssh) throw new Error("the default group has no SSH rule from the company network");
    let started = performance.now();
    await removeSecurityGroupRule(stack.core, dev, { group: "default", rule: ssh.id });
    await filtersApplied();
    console.info(`[real-hypervisor networking] rule removed → filters re-applied ${Math.round(performance.now() - started)} ms`);
    // Closed means the filter drops the SYN (as CloudStack's security groups do): no connection within 3 s.
    for (const g of guests) expect(await tcpConnect(g.ip, TINY_SSH_PORT)).toBe("no answer");
    expect(await probeFromGuest(web2.ip, web1.ip, TINY_SSH_PORT)).toMatch(/^FAIL /);

    // A rule whose source is the group itself lets its members in, and nobody else.
    await addSecurityGroupRule(stack.core, dev, { group: "default", protocol: "tcp", portFrom: TINY_SSH_PORT, source: "default" });
    await filtersApplied();
    expect(await probeFromGuest(web2.ip, web1.ip, TINY_SSH_PORT)).toBe(`OK ${web1.name} ${web1.ip}`);
    expect(await tcpConnect(web1.ip, TINY_SSH_PORT)).toBe("no answer");

    started = performance.now();
    await addSecurityGroupRule(stack.core, dev, { group: "default", protocol: "tcp", portFrom: TINY_SSH_PORT, source: "company" });
    await filtersApplied();
    console.info(`[real-hypervisor networking] rule added → filters re-applied ${Math.round(performance.now() - started)} ms`);
    for (const g of guests) expect(await fromHost(g)).toEqual({ ok: true, body: `${g.name} ${g.ip}` });

    // All of it live: each guest booted once and kept counting.
    for (const g of guests) {
      const log = await readConsoleLog(real.consoleLog(g.vmId));
      expect(log.split(TINY_BOOT_MARKER).length - 1).toBe(1);
      expect(log).toMatch(new RegExp(`${TINY_TICK_PREFIX} \\d+`));
      expect(await virsh(real.uri, ["domstate", domainName(g.vmId)])).toBe("running");
    }
  }, 300_000);

  it("destroying the guests releases their addresses and removes their DHCP/DNS entries and filters", async () => {
    const { stack, dev, admin, real } = suite;
    for (const g of guests) expect((await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: g.name })).id)).state).toBe("Succeeded");
    expect((await getNetwork(stack.core, admin, { network: network.name })).vms).toEqual([]);
    const xml = await virsh(real.uri, ["net-dumpxml", `net-${id}`]);
    for (const g of guests) {
      expect(xml).not.toContain(g.ip);
      expect(await virshMaybe(real.uri, ["nwfilter-dumpxml", vmFilterName(g.vmId)])).toBeNull();
      expect(await resolveAt(subnet.gateway, `${g.name}.${dnsDomain}`)).toEqual([]);
    }
    expect(await real.objects()).toEqual({ domains: [], volumes: [] });
  }, 300_000);
});
