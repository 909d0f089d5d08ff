import type { CoreDeps } from "../context.ts";
import type { TQueueDepth } from "../jobs/job-queues.ts";

/** One host's capacity, what is reserved of it, and its queue (for the controller's /metrics). */
export interface THostLoad {
  name: string;
  state: string;
  /** What placement may promise: physical CPUs × overcommit, memory × overcommit (floored, as reservations are). */
  vcpusCapacity: number;
  vcpusAllocated: number;
  memoryCapacityMiB: number;
  memoryAllocatedMiB: number;
  /** null when the host's queue could not be read (Redis away). */
  queue: TQueueDepth | null;
}

/** Every host that is not removed, with its load: one query, and one queue read per host. */
export async function readHostLoad(deps: CoreDeps): Promise<THostLoad[]> {
  const hosts = await deps.db.host.findMany({
    where: { state: { not: "Removed" } },
    select: { id: true, name: true, state: true, cpus: true, memoryMiB: true, cpuOvercommit: true, memOvercommit: true, vcpusAllocated: true, memMiBAllocated: true },
    orderBy: { name: "asc" },
  });
  return Promise.all(
    hosts.map(async (h) => ({
      name: h.name,
      state: h.state,
      vcpusCapacity: Math.floor(h.cpus * h.cpuOvercommit),
      vcpusAllocated: h.vcpusAllocated,
      memoryCapacityMiB: Math.floor(h.memoryMiB * h.memOvercommit),
      memoryAllocatedMiB: h.memMiBAllocated,
      queue: await deps.queues.depth(h.id).catch(() => null),
    })),
  );
}
