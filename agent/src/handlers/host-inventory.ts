import { vmIdFromFilterName, type TJobResult } from "@carve/protocol";
import type { Hypervisor } from "../hypervisor/hypervisor.ts";
import type { JobHandler } from "./context.ts";

/**
 * host.inventory: the node, every domain (Carve's or not), every pool with its volumes, and (for
 * the drift list) every libvirt network's DHCP host entries and DNS records and the Carve-named
 * network filters.
 */
export const hostInventory: JobHandler<"host.inventory"> = async (_payload, ctx) => {
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
    pools.push({ ...withoutActive(pool), volumes: await hypervisor.listVolumes(pool.name) });
  }
  const networks = await networkEntries(hypervisor);
  const filters = (await hypervisor.listFilters()).filter((name) => vmIdFromFilterName(name) !== null);
  return { hostname: node.hostname, cpus: node.cpus, memoryMiB: node.memoryMiB, domains, pools, networks, filters };
};

/** Each libvirt network's entries; one removed while this runs is simply left out. */
async function networkEntries(hypervisor: Hypervisor): Promise<NonNullable<TJobResult<"host.inventory">["networks"]>> {
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
