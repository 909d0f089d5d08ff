import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestAgent, TEST_POOL, TEST_TEMPLATE, type TTestAgent } from "../testing/index.ts";
import { filterSpec } from "./vm-filter.ts";
import { domainInterfaces } from "../hypervisor/libvirt/domain-xml.ts";

let t: TTestAgent;
beforeEach(async () => {
  t = await startTestAgent({ redisUrl: process.env.REDIS_URL, node: { pools: [{ name: TEST_POOL, volumes: [{ name: TEST_TEMPLATE }] }] } });
});
afterEach(async () => {
  await t?.close();
});

const MANAGED = { kind: "managed" as const, name: "dev-nat", bridge: "carvebr7", mode: "nat" as const, address: "10.9.0.1", prefix: 24, range: { start: "10.9.0.10", end: "10.9.0.99" }, dnsDomain: "dev.example.com" };

describe("network.define on libvirt's test driver", () => {
  it("defines, starts and autostarts a managed network, and a second delivery adopts it", async () => {
    const networkId = randomUUID();
    expect(await t.run("network.define", { networkId, ...MANAGED })).toEqual({ networkId, name: "dev-nat", adopted: false, active: true, bridge: "carvebr7" });
    expect(await t.run("network.define", { networkId, ...MANAGED })).toMatchObject({ name: "dev-nat", adopted: true, active: true });
    expect((await t.agent.hypervisor.listNetworks()).find((n) => n.name === "dev-nat")).toEqual({ name: "dev-nat", active: true, autostart: true, bridge: "carvebr7" });
  });

  it("adopts a libvirt network that already has the bridge, under its own name, instead of defining a second", async () => {
    await t.run("network.define", { networkId: randomUUID(), ...MANAGED, name: "legacy" });
    expect(await t.run("network.define", { networkId: randomUUID(), ...MANAGED })).toMatchObject({ name: "legacy", adopted: true });
    expect((await t.agent.hypervisor.listNetworks()).map((n) => n.name)).not.toContain("dev-nat");
  });

  it("refuses a bridge network whose bridge is missing on the host, naming the fix", async () => {
    await expect(t.run("network.define", { networkId: randomUUID(), kind: "bridge", name: "carvenobr9", bridge: "carvenobr9" })).rejects.toThrow(
      /bridge carvenobr9 does not exist on host .*: create it \(ip link add carvenobr9 type bridge.*or remove .* from the network's hosts/,
    );
  });
});

describe("network.undefine on libvirt's test driver", () => {
  it("stops and undefines the network Carve defined; a second delivery finds it gone", async () => {
    const networkId = randomUUID();
    await t.run("network.define", { networkId, ...MANAGED });
    expect(await t.run("network.undefine", { networkId, name: "dev-nat" })).toEqual({ networkId, name: "dev-nat", removed: true });
    expect((await t.agent.hypervisor.listNetworks()).map((n) => n.name)).not.toContain("dev-nat");
    expect(await t.run("network.undefine", { networkId, name: "dev-nat" })).toEqual({ networkId, name: "dev-nat", removed: false });
  });
});

describe("guest NICs on a managed network", () => {
  it("adds the DHCP host and DNS record before the VM is defined, renders its NIC, and removes the entries on destroy", async () => {
    await t.run("network.define", { networkId: randomUUID(), ...MANAGED });
    const vmId = randomUUID();
    const rootId = randomUUID();
    const mac = "52:54:00:12:34:56";
    const root = { volumeId: rootId, pool: TEST_POOL, name: `carve-${rootId}.qcow2` };
    const create = {
      vmId, title: "net", vcpus: 1, memoryMiB: 64, start: false,
      rootVolume: { ...root, sizeGiB: 1 },
      template: { pool: TEST_POOL, name: TEST_TEMPLATE, format: "qcow2" as const },
      nics: [{ network: { kind: "managed" as const, name: "dev-nat" }, mac, ip: "10.9.0.10", prefix: 24, gateway: "10.9.0.1", hostname: "net.dev.example.com" }],
    }; // prettier-ignore
    await t.run("vm.create", create);
    // A retried create converges: the entries are not added twice (libvirt would refuse).
    await t.run("vm.create", create);
    expect(await t.agent.hypervisor.networkHosts("dev-nat")).toEqual({
      dhcpHosts: [{ mac, ip: "10.9.0.10", name: "net" }],
      dnsHosts: [{ ip: "10.9.0.10", hostnames: ["net.dev.example.com"] }],
    });
    expect(domainInterfaces(await t.agent.hypervisor.domainXml(`carve-${vmId}`))).toEqual([{ kind: "managed", source: "dev-nat", mac }]);

    await t.run("vm.destroy", { vmId, volumes: [root] });
    expect(await t.agent.hypervisor.networkHosts("dev-nat")).toEqual({ dhcpHosts: [], dnsHosts: [] });
    // A retried destroy finds nothing left to remove.
    await t.run("vm.destroy", { vmId, volumes: [root] });
  });
});

// networks (issue 17): the drift list's view of networks and filters
describe("inventory and drift.remove on libvirt's test driver", () => {
  it("reports each network's DHCP/DNS entries and the Carve-named filters; drift.remove takes out exactly the one named", async () => {
    await t.run("network.define", { networkId: randomUUID(), ...MANAGED });
    const carveMac = "52:54:00:00:00:01";
    await t.agent.hypervisor.addNetworkHost("dev-nat", { mac: carveMac, ip: "10.9.0.10", hostname: "web.dev.example.com" });
    await t.agent.hypervisor.addNetworkHost("dev-nat", { mac: "02:00:00:aa:bb:cc", ip: "10.9.0.77", hostname: "stray.dev.example.com" });
    const vmId = randomUUID();
    // A filter left on the host (vm.filter defines one only for a VM with a domain here).
    await t.agent.hypervisor.defineFilter(filterSpec(vmId, { name: `carve-vm-${vmId}`, ip: "10.9.0.10", rules: [] }));

    const inventory = await t.run("host.inventory", {});
    expect(inventory.networks?.find((n) => n.name === "dev-nat")).toEqual({
      name: "dev-nat",
      dhcpHosts: [{ mac: carveMac, ip: "10.9.0.10", name: "web" }, { mac: "02:00:00:aa:bb:cc", ip: "10.9.0.77", name: "stray" }],
      dnsHosts: [{ ip: "10.9.0.10", hostnames: ["web.dev.example.com"] }, { ip: "10.9.0.77", hostnames: ["stray.dev.example.com"] }],
    });
    expect(inventory.filters).toEqual([`carve-vm-${vmId}`]);

    expect(await t.run("drift.remove", { kind: "dhcp-host", network: "dev-nat", mac: "02:00:00:aa:bb:cc", ip: "10.9.0.77" })).toEqual({ removed: true });
    expect(await t.run("drift.remove", { kind: "dns-host", network: "dev-nat", ip: "10.9.0.77" })).toEqual({ removed: true });
    expect(await t.run("drift.remove", { kind: "dns-host", network: "dev-nat", ip: "10.9.0.77" })).toEqual({ removed: false });
    expect(await t.agent.hypervisor.networkHosts("dev-nat")).toEqual({
      dhcpHosts: [{ mac: carveMac, ip: "10.9.0.10", name: "web" }],
      dnsHosts: [{ ip: "10.9.0.10", hostnames: ["web.dev.example.com"] }],
    });
    expect(await t.run("drift.remove", { kind: "filter", name: `carve-vm-${vmId}` })).toEqual({ removed: true });
    expect((await t.run("host.inventory", {})).filters).toEqual([]);
  });
});

// networks (issue 17): addresses the LAN's DHCP gave, learned from the host
describe("learned addresses on libvirt's test driver", () => {
  it("the inventory reports what domifaddr sees on a running Carve domain's bridge NICs, not on its managed ones", async () => {
    await t.run("network.define", { networkId: randomUUID(), ...MANAGED });
    const vmId = randomUUID();
    const rootId = randomUUID();
    const lanMac = "52:54:00:00:00:21";
    await t.run("vm.create", {
      vmId, title: "lan", vcpus: 1, memoryMiB: 64, start: true,
      rootVolume: { volumeId: rootId, pool: TEST_POOL, name: `carve-${rootId}.qcow2`, sizeGiB: 1 },
      template: { pool: TEST_POOL, name: TEST_TEMPLATE, format: "qcow2" as const },
      nics: [
        { network: { kind: "bridge" as const, name: "br0" }, mac: lanMac, ip: null, prefix: 24, gateway: null, hostname: null },
        { network: { kind: "managed" as const, name: "dev-nat" }, mac: "52:54:00:00:00:22", ip: "10.9.0.11", prefix: 24, gateway: "10.9.0.1", hostname: null },
      ],
    }); // prettier-ignore
    const inventory = await t.run("host.inventory", {});
    // The test driver makes up an address per interface (192.168.0.1 for the first).
    expect(inventory.addresses).toEqual([{ domain: `carve-${vmId}`, mac: lanMac, ip: "192.168.0.1" }]);
  });
});
