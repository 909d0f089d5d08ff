import { randomUUID } from "node:crypto";
import type { Prisma, Tx } from "@carve/db";
import { JOBS, ZVolumeMigrateResult } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { releasePoolBytes } from "../hosts/capacity.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { jobRequest, readJobRequest, type TMigrationRecord } from "../jobs/job-request.ts";
import { clause } from "../errors/clause.ts";

/**
 * Settles a volume.migrate Job once (called by finaliseJob and abandonJob inside their
 * transaction): on success the volume is in its new pool (path from the agent) and the source
 * pool's reservation is given back; on failure it stays where it was, authoritative, and the target
 * pool's reservation is given back. Either way the volume leaves Migrating. The receiving job is
 * told to stop (it also stops by itself when its stream breaks or never comes). A move whose agent
 * could not delete the source after the verified copy queues a drift.remove (volume) job for it on
 * the source host, as after a live migration (issue 19).
 */
export async function settleVolumeMigration(
  tx: Tx,
  deps: CoreDeps,
  job: { id: string; request: Prisma.JsonValue },
  outcome: { ok: true; result: unknown } | { ok: false; message: string },
): Promise<void> {
  // A cold move's copy of a disk has no migration record: its parent settles it.
  const record = readJobRequest("volume.migrate", job).migration;
  if (!record) return;
  const result = outcome.ok ? ZVolumeMigrateResult.safeParse(outcome.result) : null;
  const moved = result?.success === true ? result.data : null;
  const claimed = await tx.volume.updateMany({
    where: { id: record.volumeId, activeJobId: job.id },
    data: moved
      ? { poolId: record.to.poolId, path: moved.path, state: record.previousState, stateReason: null, activeJobId: null }
      : { state: record.previousState, stateReason: outcome.ok ? "the agent's result was malformed; the volume stayed in its pool" : outcome.message, activeJobId: null },
  });
  if (claimed.count === 0) return;
  if (record.vmId) await tx.vm.updateMany({ where: { id: record.vmId, activeJobId: job.id }, data: { activeJobId: null } });
  await releasePoolBytes(tx, moved ? record.from.poolId : record.to.poolId, record.sizeGiB);
  if (moved && !moved.sourceDeleted) await removeSource(tx, deps, job, record);
  const message = moved
    ? `volume ${record.volumeName} moved from pool ${record.from.pool} (${record.from.host}) to pool ${record.to.pool} (${record.to.host}): ${(moved.bytes / 1024 / 1024).toFixed(1)} MiB in ${(moved.durationMs / 1000).toFixed(1)} s, sha256 verified`
    : `volume ${record.volumeName} stays in pool ${record.from.pool} (${record.from.host}): ${outcome.ok ? "malformed result" : outcome.message}`;
  await recordEvent(tx, {
    type: moved ? "volume.migrated" : "volume.migration-failed",
    actor: SYSTEM_ACTOR,
    hostId: moved ? record.to.hostId : record.from.hostId,
    vmId: record.vmId ?? null,
    jobId: job.id,
    fromState: "Migrating",
    toState: record.previousState,
    message,
  });
  if (!moved) {
    // What the user reads on the job: Carve's names for the volume and pools, and what to do next.
    const why = outcome.ok ? "the agent's result was malformed" : outcome.message;
    const errorMessage = `Moving volume ${record.volumeName} from pool ${record.from.pool} (${record.from.host}) to pool ${record.to.pool} (${record.to.host}) failed: ${clause(why)}. The volume stays in pool ${record.from.pool}, intact and usable; retry with 'carve volume migrate ${record.volumeName} --pool ${record.to.pool}'.`;
    await tx.job.update({ where: { id: job.id }, data: { errorMessage } });
    await deps.queues.requestCancel(record.to.hostId, record.receiveJobId).catch(() => undefined);
  }
}

/** A drift.remove (volume) job for the source the agent kept; recorded Queued, the controller's sweep sends it. */
async function removeSource(tx: Tx, deps: CoreDeps, job: { id: string; request: Prisma.JsonValue }, record: TMigrationRecord): Promise<void> {
  const { source } = readJobRequest("volume.migrate", job).payload;
  const payload = JOBS["drift.remove"].payload.safeParse({ kind: "volume", pool: source.pool, name: source.name });
  // A volume not named by Carve is not drift.remove's to delete: reconciliation lists the file instead.
  if (!payload.success) return;
  const actor = await tx.job.findUnique({ where: { id: job.id }, select: { actorId: true } });
  await tx.job.create({
    data: { id: randomUUID(), kind: "drift.remove", actorId: actor?.actorId ?? null, hostId: record.from.hostId, request: jobRequest("drift.remove", { payload: payload.data, volumeId: record.volumeId }), createdAt: deps.now() },
  });
}
