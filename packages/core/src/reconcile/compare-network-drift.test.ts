import { describe, expect, it } from "vitest";
import { compareFilters, compareNetworkEntries, type TFilterVm } from "./compare-network-drift.ts";

const since = new Date("2026-12-07T10:00:00Z");
const before = new Date("2026-12-07T09:00:00Z");
const host = { id: "h1", name: "host-1" };
const vmId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const vm = (n: number, extra: Partial<TFilterVm> = {}): TFilterVm => ({ id: vmId(n), name: `vm-${n}`, state: "Running", hostId: "h1", hostName: "host-1", activeJobId: null, updatedAt: before, ...extra });

describe("compareFilters", () => {
  it("a filter is stale when its VM is unknown, destroyed or on another host; a VM here, or one being moved, is left alone", () => {
    const vms = new Map([vm(1), vm(2, { state: "Destroyed", hostId: null, hostName: null }), vm(3, { hostId: "h2", hostName: "host-2" }), vm(4, { hostId: "h2", hostName: "host-2", activeJobId: "j" })].map((v) => [v.id, v]));
    const found = compareFilters(host, [1, 2, 3, 4, 5].map((n) => `carve-vm-${vmId(n)}`).concat(["clean-traffic"]), vms, since);
    expect(found.map((f) => [f.vmId, f.note])).toEqual([
      [vmId(2), `network filter carve-vm-${vmId(2)} on host-1 is stale: VM vm-2 was destroyed.`],
      [vmId(3), `network filter carve-vm-${vmId(3)} on host-1 is stale: VM vm-3 is on host-2, not here.`],
      [vmId(5), `network filter carve-vm-${vmId(5)} on host-1 is stale: this Carve has no VM ${vmId(5)}.`],
    ]);
  });
});

describe("compareNetworkEntries", () => {
  it("a DHCP entry needs a NIC with its MAC and address together; a DNS record a NIC with its address; other networks are not looked at", () => {
    const carve = [{ name: "dev", libvirtName: "dev-nat", nics: [{ mac: "52:54:00:00:00:01", ip: "10.0.0.10" }] }];
    const found = compareNetworkEntries("host-1", carve, [
      {
        name: "dev-nat",
        dhcpHosts: [{ mac: "52:54:00:00:00:01", ip: "10.0.0.10", name: "web" }, { mac: "52:54:00:00:00:01", ip: "10.0.0.11", name: "web" }],
        dnsHosts: [{ ip: "10.0.0.10", hostnames: ["web.dev"] }, { ip: "10.0.0.12", hostnames: ["old.dev"] }],
      },
      { name: "default", dhcpHosts: [{ mac: "02:00:00:00:00:09", ip: "192.168.122.9", name: null }], dnsHosts: [] },
    ]);
    expect(found.map((f) => [f.kind, f.domainName, f.ip])).toEqual([
      ["DhcpHost", "dev-nat/52:54:00:00:00:01/10.0.0.11", "10.0.0.11"],
      ["DnsHost", "dev-nat/10.0.0.12", "10.0.0.12"],
    ]);
    expect(found[1]?.note).toBe("network dev on host-1 has a DNS record old.dev → 10.0.0.12 for an address no Carve VM holds.");
  });
});
