import type { Prisma, Tx } from "@carve/db";
import { ZPoolDefineResult } from "@carve/protocol";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { readJobRequest } from "../jobs/job-request.ts";
import { poolHealth } from "./record-pool-reports.ts";

/**
 * Applies a finished pool.define job to its pool: the capacity it reported and the health that
 * follows (zero capacity: Unhealthy, "check the mount/export"), the libvirt name of an adopted
 * pool, or Unhealthy with the agent's reason when defining failed. Admin-held states stay.
 */
export async function settlePoolDefine(
  tx: Tx,
  job: { id: string; hostId: string | null; request: Prisma.JsonValue },
  outcome: { ok: true; result: unknown } | { ok: false; message: string },
): Promise<void> {
  const request = readJobRequest("pool.define", job);
  const pool = await tx.storagePool.findUnique({ where: { id: request.poolId }, select: { id: true, name: true, libvirtName: true, state: true, stateReason: true, scope: true } });
  if (!pool || pool.state === "Removed" || pool.state === "Maintenance") return;
  const host = job.hostId ? await tx.host.findUnique({ where: { id: job.hostId }, select: { name: true } }) : null;
  const hostName = host?.name ?? "its host";
  const parsed = outcome.ok ? ZPoolDefineResult.safeParse(outcome.result) : null;
  let data: Prisma.StoragePoolUpdateInput;
  let health: { state: "Up" | "Unhealthy"; reason: string | null };
  if (parsed?.success) {
    const r = parsed.data;
    health = poolHealth({ name: r.name, active: true, capacityBytes: r.capacityBytes, allocationBytes: r.allocationBytes, availableBytes: r.availableBytes }, hostName, r.name) as typeof health;
    // A shared pool's hosts must agree on its libvirt name: the first adoption names it.
    const renamed = r.adopted && r.name !== pool.libvirtName;
    if (renamed && pool.scope === "Shared" && (await tx.poolHost.count({ where: { poolId: pool.id } })) > 1) {
      health = { state: "Unhealthy", reason: `host ${hostName} already has this target as libvirt pool ${r.name}, the other hosts call it ${pool.libvirtName}: rename one (virsh pool-undefine, then carve pool define ${pool.name})` };
    }
    data = {
      state: health.state,
      stateReason: health.reason,
      capacityBytes: BigInt(Math.round(r.capacityBytes)),
      allocatedBytes: BigInt(Math.round(r.allocationBytes)),
      availableBytes: BigInt(Math.round(r.availableBytes)),
      capacityReportedAt: new Date(),
      ...(renamed && health.state === "Up" ? { libvirtName: r.name } : {}),
    };
  } else {
    const why = parsed ? "the agent's result was malformed" : outcome.ok ? "no result" : outcome.message;
    health = { state: "Unhealthy", reason: `defining it in libvirt on ${hostName} failed: ${why}; fix the cause, then run 'carve pool define ${pool.name}'` };
    data = { state: health.state, stateReason: health.reason };
  }
  await tx.storagePool.update({ where: { id: pool.id }, data });
  await recordEvent(tx, {
    type: "pool.state",
    actor: SYSTEM_ACTOR,
    hostId: job.hostId,
    jobId: job.id,
    fromState: pool.state,
    toState: health.state,
    message: health.reason ? `pool ${pool.name} is ${health.state}: ${health.reason}` : `pool ${pool.name} is ${health.state}${parsed?.success && parsed.data.adopted ? ` (adopted libvirt pool ${parsed.data.name})` : ""}`,
  });
}
