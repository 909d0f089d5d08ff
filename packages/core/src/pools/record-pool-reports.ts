import type { PoolState } from "@carve/db";
import type { TPoolReport } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";

/** Health a report gives a pool, and why; admin-held states (Maintenance, Removed) are kept. */
export function poolHealth(report: TPoolReport | undefined, hostName: string, libvirtName: string, poolName = libvirtName): { state: PoolState; reason: string | null } {
  if (!report) return { state: "Unhealthy", reason: `host ${hostName} has no libvirt pool named ${libvirtName}: define it there (carve pool define ${poolName}) or fix the pool's libvirt name` };
  if (!report.active) return { state: "Unhealthy", reason: `the pool is not running on host ${hostName}: start it (carve pool define ${poolName}, or virsh pool-start ${libvirtName})` };
  if (report.capacityBytes === 0) return { state: "Unhealthy", reason: "pool reports zero capacity: check the mount/export" };
  return { state: "Up", reason: null };
}

/**
 * Records the capacity and health of every pool from its hosts' latest heartbeats. A pool that
 * reports zero capacity is Unhealthy with an explanation (never a division by zero); each change
 * of health is an event.
 */
export async function recordPoolReports(deps: CoreDeps): Promise<number> {
  const pools = await deps.db.storagePool.findMany({
    where: { state: { notIn: ["Removed", "Maintenance"] } },
    select: { id: true, name: true, libvirtName: true, state: true, stateReason: true, hosts: { select: { host: { select: { id: true, name: true, state: true } } } } },
  });
  let updated = 0;
  for (const pool of pools) {
    // A shared pool is seen by several hosts; any live one of them is a good witness.
    for (const { host } of pool.hosts.filter(({ host }) => host.state === "Up")) {
      const beat = await deps.queues.heartbeat(host.id);
      if (!beat) continue;
      const report = beat.pools.find((p) => p.name === pool.libvirtName);
      const health = poolHealth(report, host.name, pool.libvirtName, pool.name);
      await deps.db.$transaction(async (tx) => {
        await tx.storagePool.update({
          where: { id: pool.id },
          data: {
            state: health.state,
            stateReason: health.reason,
            ...(report
              ? {
                  capacityBytes: BigInt(Math.round(report.capacityBytes)),
                  allocatedBytes: BigInt(Math.round(report.allocationBytes)),
                  availableBytes: BigInt(Math.round(report.availableBytes)),
                  capacityReportedAt: new Date(beat.at),
                }
              : {}),
          },
        });
        if (health.state !== pool.state || health.reason !== pool.stateReason) {
          await recordEvent(tx, {
            type: "pool.state",
            actor: SYSTEM_ACTOR,
            hostId: host.id,
            fromState: pool.state,
            toState: health.state,
            message: health.reason ? `pool ${pool.name} is ${health.state}: ${health.reason}` : `pool ${pool.name} is ${health.state}`,
          });
        }
      });
      updated += 1;
      break;
    }
  }
  return updated;
}
