import { describe, expect, it } from "vitest";
import { buildDomainXml, domainInterfaces } from "./domain-xml.ts";
import { buildDhcpHostXml, buildDnsHostXml, buildNetworkXml, parseNetworkXml, planHostEntry, planHostRemoval, type TParsedNetwork } from "./network-xml.ts";

const DEFINITION = { kind: "managed" as const, name: "dev-nat", bridge: "carvebr0", mode: "nat" as const, address: "10.9.0.1", prefix: 24, staticDhcp: true, dnsDomain: "dev.example.com" };

describe("buildNetworkXml", () => {
  it("renders a NAT network with its bridge, gateway, local DNS domain and a DHCP server for reserved hosts only", () => {
    const xml = buildNetworkXml(DEFINITION);
    expect(xml).toContain("<name>dev-nat</name>");
    expect(xml).toContain('<forward mode="nat"/>');
    expect(xml).toContain('<bridge name="carvebr0" stp="on" delay="0"/>');
    expect(xml).toContain('<domain name="dev.example.com" localOnly="yes"/>');
    expect(xml).toContain('<ip address="10.9.0.1" prefix="24">');
    // No <range>: dnsmasq must not lease Carve's addresses to unknown MACs.
    expect(xml).toContain("<dhcp/>");
    expect(xml).not.toContain("<range");
  });

  it("routes instead of NAT, and leaves DHCP and the bridge name to libvirt when not asked", () => {
    const xml = buildNetworkXml({ ...DEFINITION, mode: "routed", bridge: undefined, staticDhcp: false, dnsDomain: undefined });
    expect(xml).toContain('<forward mode="route"/>');
    expect(xml).not.toContain("<bridge");
    expect(xml).not.toContain("<dhcp");
    expect(xml).not.toContain("<domain");
  });

  it("refuses a managed network without its gateway address", () => {
    expect(() => buildNetworkXml({ ...DEFINITION, address: undefined })).toThrow(/gateway address and prefix/);
  });
});

describe("DHCP host and DNS record XML", () => {
  it("escapes hostile names so they stay attribute values and text", () => {
    const dhcp = buildDhcpHostXml({ mac: "52:54:00:aa:bb:cc", ip: "10.9.0.11", name: `x" ip="10.0.0.1"/><host mac='` });
    expect(dhcp).toBe('<host mac="52:54:00:aa:bb:cc" name="x&quot; ip=&quot;10.0.0.1&quot;/&gt;&lt;host mac=\'" ip="10.9.0.11"/>');
    const dns = buildDnsHostXml({ ip: "10.9.0.11", hostnames: ["a</hostname><hostname>evil"] });
    expect(dns).toBe('<host ip="10.9.0.11">\n  <hostname>a&lt;/hostname&gt;&lt;hostname&gt;evil</hostname>\n</host>');
  });

  it("omits the name of a DHCP host without a DNS name", () => {
    expect(buildDhcpHostXml({ mac: "52:54:00:aa:bb:cc", ip: "10.9.0.11", name: null })).toBe('<host mac="52:54:00:aa:bb:cc" ip="10.9.0.11"/>');
  });
});

const LIBVIRT_NETWORK = `<network>
  <name>dev-nat</name>
  <bridge name='carvebr0' stp='on' delay='0'/>
  <dns>
    <host ip='10.9.0.11'><hostname>vm1.dev.example.com</hostname></host>
    <host ip='10.9.0.12'><hostname>old.dev.example.com</hostname></host>
  </dns>
  <ip address='10.9.0.1' prefix='24'>
    <dhcp>
      <host mac='52:54:00:AA:BB:01' name='vm1' ip='10.9.0.11'/>
      <host mac='52:54:00:aa:bb:02' name='old' ip='10.9.0.12'/>
    </dhcp>
  </ip>
</network>`;

describe("parseNetworkXml and the entry plans", () => {
  const parsed: TParsedNetwork = parseNetworkXml(LIBVIRT_NETWORK);

  it("reads libvirt's network: name, bridge, DHCP hosts (MACs lowercased) and DNS records", () => {
    expect(parsed).toEqual({
      name: "dev-nat",
      bridge: "carvebr0",
      dhcpHosts: [
        { mac: "52:54:00:aa:bb:01", ip: "10.9.0.11", name: "vm1" },
        { mac: "52:54:00:aa:bb:02", ip: "10.9.0.12", name: "old" },
      ],
      dnsHosts: [
        { ip: "10.9.0.11", hostnames: ["vm1.dev.example.com"] },
        { ip: "10.9.0.12", hostnames: ["old.dev.example.com"] },
      ],
    });
  });

  it("changes nothing when the entries are there already (a retried create)", () => {
    expect(planHostEntry(parsed, { mac: "52:54:00:aa:bb:01", ip: "10.9.0.11", hostname: "vm1.dev.example.com" })).toEqual({ deleteDhcp: [], addDhcp: null, deleteDns: [], addDns: null });
  });

  it("replaces a stale entry that holds the address (an earlier VM's) and adds the new one", () => {
    const plan = planHostEntry(parsed, { mac: "52:54:00:aa:bb:03", ip: "10.9.0.12", hostname: "new.dev.example.com" });
    expect(plan.deleteDhcp).toEqual([{ mac: "52:54:00:aa:bb:02", ip: "10.9.0.12", name: "old" }]);
    expect(plan.addDhcp).toEqual({ mac: "52:54:00:aa:bb:03", ip: "10.9.0.12", name: "new" });
    expect(plan.deleteDns).toEqual([{ ip: "10.9.0.12", hostnames: ["old.dev.example.com"] }]);
    expect(plan.addDns).toEqual({ ip: "10.9.0.12", hostnames: ["new.dev.example.com"] });
  });

  it("removes a NIC's DHCP entry and its address's DNS record, and nothing for an unknown MAC", () => {
    expect(planHostRemoval(parsed, "52:54:00:AA:BB:01")).toEqual({
      deleteDhcp: [{ mac: "52:54:00:aa:bb:01", ip: "10.9.0.11", name: "vm1" }],
      addDhcp: null,
      deleteDns: [{ ip: "10.9.0.11", hostnames: ["vm1.dev.example.com"] }],
      addDns: null,
    });
    expect(planHostRemoval(parsed, "52:54:00:ff:ff:ff")).toEqual({ deleteDhcp: [], addDhcp: null, deleteDns: [], addDns: null });
  });
});

describe("guest NICs in the domain XML", () => {
  const spec = { vmId: "0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1", title: "t", vcpus: 1, memoryMiB: 256, rootDisk: { path: "/p/r.qcow2", format: "qcow2" as const } };

  it("renders a network NIC with its MAC and filter and a bridge NIC, and reads them back", () => {
    const xml = buildDomainXml(
      { ...spec, nics: [{ kind: "managed", source: "dev-nat", mac: "52:54:00:aa:bb:01", filter: "carve-sg-1" }, { kind: "bridge", source: "br0", mac: "52:54:00:aa:bb:02" }] },
      { domainType: "test", network: "ignored-when-nics-are-given" },
    );
    const element = (lines: string[]): string => `${lines.slice(0, -1).join("\n      ")}\n    ${lines.at(-1) ?? ""}`;
    expect(xml).toContain(element(['<interface type="network">', '<source network="dev-nat"/>', '<mac address="52:54:00:aa:bb:01"/>', '<model type="virtio"/>', '<filterref filter="carve-sg-1"/>', "</interface>"]));
    expect(xml).toContain(element(['<interface type="bridge">', '<source bridge="br0"/>', '<mac address="52:54:00:aa:bb:02"/>', '<model type="virtio"/>', "</interface>"]));
    expect(xml).not.toContain("ignored-when-nics-are-given");
    expect(domainInterfaces(xml)).toEqual([
      { kind: "managed", source: "dev-nat", mac: "52:54:00:aa:bb:01" },
      { kind: "bridge", source: "br0", mac: "52:54:00:aa:bb:02" },
    ]);
  });

  it("keeps the host's configured network when the create names no NICs", () => {
    const xml = buildDomainXml(spec, { domainType: "test", network: "default" });
    expect(xml).toContain('<source network="default"/>');
    expect(domainInterfaces(xml)).toEqual([]);
  });
});
