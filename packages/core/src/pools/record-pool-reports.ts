import type { PoolState } from "@carve/db";
import { HEARTBEAT_INTERVAL_MS, type TPoolReport } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { readJobRequest } from "../jobs/job-request.ts";

/** Health a report gives a pool, and why; admin-held states (Maintenance, Removed) are kept. */
export function poolHealth(report: TPoolReport | undefined, hostName: string, libvirtName: string, poolName = libvirtName): { state: PoolState; reason: string | null } {
  if (!report) return { state: "Unhealthy", reason: `host ${hostName} has no libvirt pool named ${libvirtName}: define it there (carve pool define ${poolName}) or fix the pool's libvirt name` };
  if (!report.active) return { state: "Unhealthy", reason: `the pool is not running on host ${hostName}: start it (carve pool define ${poolName}, or virsh pool-start ${libvirtName})` };
  if (report.capacityBytes === 0) return { state: "Unhealthy", reason: "pool reports zero capacity: check the mount/export" };
  return { state: "Up", reason: null };
}

/**
 * How long after a host's pool.define result its heartbeats are not taken as news about that pool.
 * The heartbeat the controller reads may have been taken before the define ran (the agent beats
 * every HEARTBEAT_INTERVAL_MS), and would undo what the define just recorded: "no libvirt pool
 * named …", Unhealthy, until the next beat. Two intervals, as for a host's grace: one for the
 * agent's period, one for a late timer and the time it takes to list its pools.
 */
export const DEFINE_SETTLE_MS = 2 * HEARTBEAT_INTERVAL_MS;

/**
 * Records the capacity and health of every pool from its hosts' latest heartbeats. A pool that
 * reports zero capacity is Unhealthy with an explanation (never a division by zero); each change
 * of health is an event. A host's beat says nothing about a pool it is defining or has just
 * defined (see DEFINE_SETTLE_MS): the define's own result stands until a later beat.
 */
export async function recordPoolReports(deps: CoreDeps): Promise<number> {
  const pools = await deps.db.storagePool.findMany({
    where: { state: { notIn: ["Removed", "Maintenance"] } },
    select: { id: true, name: true, libvirtName: true, state: true, stateReason: true, hosts: { select: { host: { select: { id: true, name: true, state: true } } } } },
  });
  const defining = await definingPoolHosts(deps, [...new Set(pools.flatMap((p) => p.hosts.filter(({ host }) => host.state === "Up").map(({ host }) => host.id)))]);
  let updated = 0;
  for (const pool of pools) {
    // A shared pool is seen by several hosts; any live one of them is a good witness.
    for (const { host } of pool.hosts.filter(({ host }) => host.state === "Up")) {
      if (defining.has(`${pool.id}:${host.id}`)) continue;
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

/**
 * The pool/host pairs ("poolId:hostId") whose heartbeat may predate what the database knows: a
 * pool.define is in flight there, or finished less than DEFINE_SETTLE_MS ago.
 *
 * Why a window and not the beat's `at`: `at` is the agent's clock, a Job's finishedAt the
 * controller's, and the two may differ by more than a heartbeat in production. Both sides of this
 * comparison are the controller's (finishedAt and now come from deps.now), and the beat's age is
 * bounded by the agent's own period instead: a beat read DEFINE_SETTLE_MS after the define was
 * finalised was written, and its pools listed, after the agent finished the define, unless the
 * agent stopped beating on time (then the host's grace soon marks it Disconnected anyway).
 * Reading time alone would not do: the stale beat of the flap is read after the define finished.
 */
async function definingPoolHosts(deps: CoreDeps, hostIds: string[]): Promise<Set<string>> {
  if (hostIds.length === 0) return new Set();
  const since = new Date(deps.now().getTime() - DEFINE_SETTLE_MS);
  // (hostId, kind) leads the Job index [hostId, kind, createdAt]: a few rows per host.
  const jobs = await deps.db.job.findMany({
    where: { hostId: { in: hostIds }, kind: "pool.define", OR: [{ state: { in: ["Queued", "Running"] } }, { finishedAt: { gt: since } }] },
    select: { id: true, hostId: true, request: true },
  });
  const pairs = new Set<string>();
  for (const job of jobs) {
    if (job.hostId) pairs.add(`${readJobRequest("pool.define", job).poolId}:${job.hostId}`);
  }
  return pairs;
}
