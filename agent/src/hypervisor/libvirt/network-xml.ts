import { create } from "xmlbuilder2";
import type { TNetworkDefinition, TNetworkEntry, TNetworkHosts } from "../hypervisor.ts";
import { attribute } from "./domain-xml.ts";
import { xmlElement } from "./xml-element.ts";

type TXmlBuilder = ReturnType<typeof create>;

/**
 * A managed network's libvirt XML: NAT or routed forwarding, the bridge (libvirt picks virbrN when
 * none is named), the host's address on it, dnsmasq's local DNS domain and, when Carve allocates
 * the addresses, an empty `<dhcp/>`. Deliberately no `<range>`: dnsmasq would hand addresses of
 * Carve's range to unknown MACs; with host entries only, libvirt runs it as `dhcp-range=GW,static`
 * and it answers the reserved hosts alone. Tried on libvirtd 9.0 with a TCG guest: the first
 * net-update restarts dnsmasq with that line, the reserved MAC gets its address, name and DNS
 * record, an unknown MAC gets no lease.
 */
export function buildNetworkXml(definition: TNetworkDefinition): string {
  if (definition.address === undefined || definition.prefix === undefined) {
    throw new Error(`managed network ${definition.name} needs its gateway address and prefix`);
  }
  const network = xmlElement("network");
  network.ele("name").txt(definition.name);
  network.ele("forward", { mode: definition.mode === "routed" ? "route" : "nat" });
  if (definition.bridge !== undefined) network.ele("bridge", { name: definition.bridge, stp: "on", delay: "0" });
  if (definition.dnsDomain !== undefined) network.ele("domain", { name: definition.dnsDomain, localOnly: "yes" });
  const ip = network.ele("ip", { address: definition.address, prefix: definition.prefix });
  if (definition.staticDhcp) ip.ele("dhcp");
  return network.render();
}

/** A DHCP host entry as `net-update … ip-dhcp-host` takes it; `name` is the DHCP client name (first label). */
export function buildDhcpHostXml(entry: { mac: string; ip: string; name: string | null }): string {
  return xmlElement("host", { mac: entry.mac, name: entry.name ?? undefined, ip: entry.ip }).render();
}

/** A DNS host record as `net-update … dns-host` takes it. */
export function buildDnsHostXml(entry: { ip: string; hostnames: readonly string[] }): string {
  const host = xmlElement("host", { ip: entry.ip });
  for (const name of entry.hostnames) host.ele("hostname").txt(name);
  return host.render();
}

/** What the agent reads back from `net-dumpxml`. */
export interface TParsedNetwork extends TNetworkHosts {
  name: string;
  bridge: string | null;
}

export function parseNetworkXml(xml: string): TParsedNetwork {
  const root = create(xml).root();
  const children = (parent: TXmlBuilder, name: string): TXmlBuilder[] => {
    const found: TXmlBuilder[] = [];
    parent.each((c) => {
      if (c.node.nodeName === name) found.push(c);
    });
    return found;
  };
  const first = (parent: TXmlBuilder, name: string): TXmlBuilder | undefined => children(parent, name)[0];
  const bridge = first(root, "bridge");
  const dhcpHosts = children(root, "ip").flatMap((ip) => {
    const dhcp = first(ip, "dhcp");
    if (dhcp === undefined) return [];
    return children(dhcp, "host").flatMap((h) => {
      const mac = attribute(h, "mac");
      const address = attribute(h, "ip");
      return mac !== null && address !== null ? [{ mac: mac.toLowerCase(), ip: address, name: attribute(h, "name") }] : [];
    });
  });
  const dns = first(root, "dns");
  const dnsHosts = (dns === undefined ? [] : children(dns, "host")).flatMap((h) => {
    const address = attribute(h, "ip");
    return address === null ? [] : [{ ip: address, hostnames: children(h, "hostname").map((n) => n.node.textContent ?? "") }];
  });
  const nameElement = first(root, "name");
  return { name: nameElement?.node.textContent ?? "", bridge: bridge ? attribute(bridge, "name") : null, dhcpHosts, dnsHosts };
}

type TDhcpHost = TParsedNetwork["dhcpHosts"][number];
type TDnsHost = TParsedNetwork["dnsHosts"][number];

/** The net-update calls that make a network hold exactly one entry for a reserved address. */
export interface THostEntryPlan {
  deleteDhcp: TDhcpHost[];
  addDhcp: TDhcpHost | null;
  deleteDns: TDnsHost[];
  addDns: TDnsHost | null;
}

/**
 * What to change so the network has `entry`: identical entries stay (a retried job changes
 * nothing); a DHCP entry for the same MAC, address or name, and a DNS record for the same address or
 * name, are stale (an earlier VM's, or this one's before a change) and are deleted first. libvirt
 * refuses to add a duplicate and cannot modify a DNS record, hence delete-then-add.
 */
export function planHostEntry(current: TParsedNetwork, entry: { mac: string; ip: string; hostname: string | null }): THostEntryPlan {
  const wanted: TDhcpHost = { mac: entry.mac.toLowerCase(), ip: entry.ip, name: entry.hostname === null ? null : dhcpName(entry.hostname) };
  const sameDhcp = (h: TDhcpHost): boolean => h.mac === wanted.mac && h.ip === wanted.ip && h.name === wanted.name;
  const clashesDhcp = (h: TDhcpHost): boolean => h.mac === wanted.mac || h.ip === wanted.ip || (wanted.name !== null && h.name === wanted.name);
  const hasDhcp = current.dhcpHosts.some(sameDhcp);
  const wantedDns: TDnsHost | null = entry.hostname === null ? null : { ip: entry.ip, hostnames: [entry.hostname] };
  const sameDns = (h: TDnsHost): boolean => wantedDns !== null && h.ip === wantedDns.ip && h.hostnames.length === 1 && h.hostnames[0] === entry.hostname;
  const clashesDns = (h: TDnsHost): boolean => h.ip === entry.ip || (entry.hostname !== null && h.hostnames.includes(entry.hostname));
  const hasDns = current.dnsHosts.some(sameDns);
  return {
    deleteDhcp: current.dhcpHosts.filter((h) => !sameDhcp(h) && clashesDhcp(h)),
    addDhcp: hasDhcp ? null : wanted,
    deleteDns: current.dnsHosts.filter((h) => !sameDns(h) && clashesDns(h)),
    addDns: hasDns ? null : wantedDns,
  };
}

/** The entries to delete when the NIC with `mac` leaves the network: its DHCP entry and its address's DNS record. */
export function planHostRemoval(current: TParsedNetwork, mac: string): THostEntryPlan {
  const lower = mac.toLowerCase();
  const dhcp = current.dhcpHosts.filter((h) => h.mac === lower);
  const ips = new Set(dhcp.map((h) => h.ip));
  return { deleteDhcp: dhcp, addDhcp: null, deleteDns: current.dnsHosts.filter((h) => ips.has(h.ip)), addDns: null };
}

/** The entries to delete for a drift cleanup: only the one named (nothing else that shares its address). */
export function planEntryRemoval(current: TParsedNetwork, entry: TNetworkEntry): THostEntryPlan {
  if (entry.kind === "dns") return { deleteDhcp: [], addDhcp: null, deleteDns: current.dnsHosts.filter((h) => h.ip === entry.ip), addDns: null };
  const mac = entry.mac.toLowerCase();
  return { deleteDhcp: current.dhcpHosts.filter((h) => h.mac === mac && h.ip === entry.ip), addDhcp: null, deleteDns: [], addDns: null };
}

/** dnsmasq's DHCP client name: the first label of the guest's DNS name. */
export function dhcpName(hostname: string): string {
  return hostname.split(".")[0] ?? hostname;
}
