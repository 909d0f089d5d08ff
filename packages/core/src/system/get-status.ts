import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";

export interface TStatus {
  database: "ok";
  hosts: { name: string; state: string; vcpus: string; memoryMiB: string; lastHeartbeatAt: Date | null }[];
  vms: Record<string, number>;
  jobsInFlight: number;
  failedJobsLastHour: number;
}

/**
 * An overview for admins: hosts and their use, VMs by state, jobs in flight and recent failures.
 * Everyone's VMs and every host are counted, so a user is refused (FORBIDDEN), as for `host list`.
 */
export async function getStatus(deps: CoreDeps, actor: TActor): Promise<TStatus> {
  requireAdmin(actor, "see the system status");
  const hourAgo = new Date(deps.now().getTime() - 3_600_000);
  const [hosts, vms, jobsInFlight, failedJobsLastHour] = await Promise.all([
    deps.db.host.findMany({ where: { state: { not: "Removed" } }, orderBy: { name: "asc" } }),
    deps.db.vm.groupBy({ by: ["state"], where: { state: { not: "Destroyed" } }, _count: { _all: true } }),
    deps.db.job.count({ where: { state: { in: ["Queued", "Running"] } } }),
    deps.db.job.count({ where: { state: "Failed", finishedAt: { gte: hourAgo } } }),
  ]);
  return {
    database: "ok",
    hosts: hosts.map((h) => ({
      name: h.name,
      state: h.state,
      vcpus: `${h.vcpusAllocated}/${Math.floor(h.cpus * h.cpuOvercommit)}`,
      memoryMiB: `${h.memMiBAllocated}/${Math.floor(h.memoryMiB * h.memOvercommit)}`,
      lastHeartbeatAt: h.lastHeartbeatAt,
    })),
    vms: Object.fromEntries(vms.map((g) => [g.state, g._count._all])),
    jobsInFlight,
    failedJobsLastHour,
  };
}
