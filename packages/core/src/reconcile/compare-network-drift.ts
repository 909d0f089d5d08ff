import type { DriftKind, VmState } from "@carve/db";
import { vmIdFromFilterName } from "@carve/protocol";
import type { TDriftFinding } from "./compare-inventory.ts";

/** A drift finding of any kind: a domain's, or a network entry's or filter's (issue 17). */
export interface TDriftRecord extends Omit<TDriftFinding, "domainUuid"> {
  kind: DriftKind;
  /** Domains only. */
  domainUuid: string | null;
  network?: string | null;
  mac?: string | null;
  ip?: string | null;
  /** Volume (issue 19): the libvirt pool holding the file. */
  pool?: string | null;
}

/** A libvirt network's entries as the host reported them. */
export interface TReportedNetwork {
  name: string;
  dhcpHosts: readonly { mac: string; ip: string; name: string | null }[];
  dnsHosts: readonly { ip: string; hostnames: readonly string[] }[];
}

/** A Carve managed network on the inventoried host, with the addresses its NICs hold. */
export interface TCarveNetwork {
  name: string;
  libvirtName: string;
  nics: readonly { mac: string; ip: string | null }[];
}

/** A VM named by a reported filter. */
export interface TFilterVm {
  id: string;
  name: string;
  state: VmState;
  hostId: string | null;
  hostName: string | null;
  activeJobId: string | null;
  updatedAt: Date;
}

/** The drift key of a DHCP host entry and of a DNS record (DriftItem.domainName). */
export const dhcpKey = (network: string, mac: string, ip: string): string => `${network}/${mac}/${ip}`;
export const dnsKey = (network: string, ip: string): string => `${network}/${ip}`;

/**
 * The DHCP host entries and DNS records of Carve's managed networks on a host that no Carve NIC
 * accounts for: a DHCP entry whose MAC and address no NIC on that network has together, a DNS record
 * for an address no NIC holds. Networks Carve does not manage are not looked at. Pure.
 */
export function compareNetworkEntries(hostName: string, carve: readonly TCarveNetwork[], reported: readonly TReportedNetwork[]): TDriftRecord[] {
  const byLibvirtName = new Map(carve.map((n) => [n.libvirtName, n]));
  const findings: TDriftRecord[] = [];
  for (const net of reported) {
    const ours = byLibvirtName.get(net.name);
    if (!ours) continue;
    const pairs = new Set(ours.nics.map((n) => `${n.mac}/${n.ip ?? ""}`));
    const ips = new Set(ours.nics.flatMap((n) => (n.ip ? [n.ip] : [])));
    for (const h of net.dhcpHosts) {
      if (pairs.has(`${h.mac}/${h.ip}`)) continue;
      findings.push({
        kind: "DhcpHost", domainName: dhcpKey(net.name, h.mac, h.ip), domainUuid: null, reportedState: "defined", vmId: null, network: net.name, mac: h.mac, ip: h.ip,
        note: `network ${ours.name} on ${hostName} has a DHCP host entry ${h.mac} → ${h.ip}${h.name ? ` (${h.name})` : ""} that no Carve VM's NIC has: a guest with that MAC would get that address.`,
      }); // prettier-ignore
    }
    for (const h of net.dnsHosts) {
      if (ips.has(h.ip)) continue;
      findings.push({
        kind: "DnsHost", domainName: dnsKey(net.name, h.ip), domainUuid: null, reportedState: "defined", vmId: null, network: net.name, mac: null, ip: h.ip,
        note: `network ${ours.name} on ${hostName} has a DNS record ${h.hostnames.join(", ") || "(no name)"} → ${h.ip} for an address no Carve VM holds.`,
      }); // prettier-ignore
    }
  }
  // One item per key, even if dnsmasq's configuration repeats an entry.
  return [...new Map(findings.map((f) => [`${f.kind}:${f.domainName}`, f])).values()];
}

/**
 * The Carve-named network filters on a host whose VM does not exist, was destroyed, or lives on
 * another host. A VM with a job in flight, or changed after the inventory was asked for, is left to
 * the next round (a move may be taking its filter along). Pure.
 */
export function compareFilters(host: { id: string; name: string }, filters: readonly string[], vms: ReadonlyMap<string, TFilterVm>, since: Date): TDriftRecord[] {
  const findings: TDriftRecord[] = [];
  for (const name of filters) {
    const vmId = vmIdFromFilterName(name);
    if (!vmId) continue;
    const vm = vms.get(vmId);
    if (vm && (vm.activeJobId || vm.updatedAt > since)) continue;
    if (vm && vm.state !== "Destroyed" && vm.hostId === host.id) continue;
    const why = !vm
      ? `this Carve has no VM ${vmId}`
      : vm.state === "Destroyed"
        ? `VM ${vm.name} was destroyed`
        : `VM ${vm.name} is on ${vm.hostName ?? "no host"}, not here`;
    findings.push({ kind: "Filter", domainName: name, domainUuid: null, reportedState: "defined", vmId, note: `network filter ${name} on ${host.name} is stale: ${why}.` });
  }
  return findings;
}
