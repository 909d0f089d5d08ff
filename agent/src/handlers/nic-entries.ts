import type { TNicSpec } from "@carve/protocol";
import type { THypervisor, TNetworkHostEntry, TDomainNic } from "../hypervisor/hypervisor.ts";
import { domainInterfaces } from "../hypervisor/libvirt/domain-xml.ts";

/** The domain's NICs as the hypervisor renders them; undefined keeps the host's configured network. */
export function toNicSpecs(nics: readonly TNicSpec[] | undefined): TDomainNic[] | undefined {
  return nics?.map((nic) => ({ kind: nic.network.kind, source: nic.network.name, mac: nic.mac, filter: nic.filter }));
}

/** The DHCP/DNS entries of the NICs on managed networks that have an address Carve reserved. */
export function nicHostEntries(nics: readonly TNicSpec[] | undefined): { network: string; entry: TNetworkHostEntry }[] {
  return (nics ?? []).flatMap((nic) => (nic.network.kind === "managed" && nic.ip !== null ? [{ network: nic.network.name, entry: { mac: nic.mac, ip: nic.ip, hostname: nic.hostname } }] : []));
}

/**
 * Adds each managed-network NIC's DHCP host entry and DNS record on this host, before its domain
 * starts, so the guest's first DHCP request gets the address Carve reserved. Bridge networks have
 * no dnsmasq of ours: their guests get the address through cloud-init's network-config.
 */
export async function addNicEntries(hypervisor: THypervisor, nics: readonly TNicSpec[] | undefined): Promise<void> {
  for (const { network, entry } of nicHostEntries(nics)) await hypervisor.addNetworkHost(network, entry);
}

/**
 * The managed-network NICs of a domain defined here, read from its definition (so a destroy or the
 * source half of a move needs no list of them); none when it is not defined here.
 */
export async function domainManagedNics(hypervisor: THypervisor, name: string): Promise<{ source: string; mac: string }[]> {
  if ((await hypervisor.getDomain(name)) === null) return [];
  return domainInterfaces(await hypervisor.domainXml(name)).filter((nic) => nic.kind === "managed");
}

/** Removes those NICs' DHCP host entries and DNS records on this host (entries already gone are fine). */
export async function removeNicEntries(hypervisor: THypervisor, nics: readonly { source: string; mac: string }[]): Promise<void> {
  for (const nic of nics) await hypervisor.removeNetworkHost(nic.source, nic.mac);
}
