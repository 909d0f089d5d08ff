import type { JobHandler } from "./context.ts";

/** host.inventory: the node, every domain (Carve's or not) and every pool with its volumes. */
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
  return { hostname: node.hostname, cpus: node.cpus, memoryMiB: node.memoryMiB, domains, pools };
};

function withoutActive<T extends { active: boolean }>(pool: T): Omit<T, "active"> {
  const { active: _active, ...rest } = pool;
  return rest;
}
