import { vmIdFromDomainName, vmIdFromFilterName, type TJobResult } from "@carve/protocol";
import { domainInterfaces } from "../hypervisor/libvirt/domain-xml.ts";
import type { THypervisor } from "../hypervisor/hypervisor.ts";
import type { TJobHandler } from "./context.ts";

/**
 * host.inventory: the node, every domain (Carve's or not), every pool with its volumes and their
 * capacities, and (for the drift list) every libvirt network's DHCP host entries and DNS records
 * and the Carve-named network filters.
 */
export const hostInventory: TJobHandler<"host.inventory"> = async (_payload, ctx) => {
  const { hypervisor } = ctx;
  const node = await hypervisor.nodeInfo();
  const domains = await hypervisor.listDomains();
  const pools = [];
  for (const pool of await hypervisor.listPools()) {
    if (!pool.active) {
      pools.push({ ...withoutActive(pool), volumes: [] });
      continue;
    }
    // Files copied into a directory pool behind libvirt's back only show up after a refresh.
    await hypervisor.refreshPool(pool.name);
    const volumes = await hypervisor.listVolumes(pool.name);
    pools.push({ ...withoutActive(pool), volumes, sizes: await volumeSizes(hypervisor, pool.name, volumes) });
  }
  const networks = await networkEntries(hypervisor);
  const filters = (await hypervisor.listFilters()).filter((name) => vmIdFromFilterName(name) !== null);
  const running = domains.filter((d) => d.state === "running" && vmIdFromDomainName(d.name) !== null).map((d) => d.name);
  return { hostname: node.hostname, cpus: node.cpus, memoryMiB: node.memoryMiB, domains, pools, networks, filters, addresses: await learnedAddresses(hypervisor, running) };
};

/**
 * Each volume's capacity (issue 19: core checks a template copy's against its template's, so a copy
 * replaced by another file is found). A volume removed while this runs is left out.
 */
async function volumeSizes(hypervisor: THypervisor, pool: string, volumes: readonly string[]): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const name of volumes) {
    const capacity = await hypervisor.volumeCapacity(pool, name);
    if (capacity !== null) sizes[name] = capacity;
  }
  return sizes;
}

/**
 * What the host sees on the bridge NICs of these running Carve domains: the LAN's DHCP gave those
 * addresses, so Carve learns them (managed networks' addresses are Carve's own). A domain gone
 * meanwhile is left out.
 */
async function learnedAddresses(hypervisor: THypervisor, names: readonly string[]): Promise<NonNullable<TJobResult<"host.inventory">["addresses"]>> {
  const addresses = [];
  for (const name of names) {
    const xml = await hypervisor.domainXml(name).catch(() => null);
    const bridged = new Set((xml === null ? [] : domainInterfaces(xml)).filter((nic) => nic.kind === "bridge").map((nic) => nic.mac));
    if (bridged.size === 0) continue;
    for (const { mac, ip } of await hypervisor.interfaceAddresses(name)) if (bridged.has(mac)) addresses.push({ domain: name, mac, ip });
  }
  return addresses;
}

/** Each libvirt network's entries; one removed while this runs is simply left out. */
async function networkEntries(hypervisor: THypervisor): Promise<NonNullable<TJobResult<"host.inventory">["networks"]>> {
  const networks = [];
  for (const { name } of await hypervisor.listNetworks()) {
    const hosts = await hypervisor.networkHosts(name).catch(() => null);
    if (hosts) networks.push({ name, ...hosts });
  }
  return networks;
}

function withoutActive<T extends { active: boolean }>(pool: T): Omit<T, "active"> {
  const { active: _active, ...rest } = pool;
  return rest;
}
