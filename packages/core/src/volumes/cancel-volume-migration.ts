import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVolumeForActor } from "./find-volume.ts";
import { readJobRequest } from "../jobs/job-request.ts";

const ZInput = z.strictObject({ volume: z.string().min(1, "names the volume being migrated (its id or name)").max(100) });

/**
 * Cancels a volume's storage migration: both agents are told to stop; the sender breaks the
 * stream, the receiver removes its partial copy, and the job fails as cancelled with the volume
 * still in its source pool. Returns the migration's Job (it ends within seconds).
 * @throws CarveError VOLUME_NOT_FOUND, INVALID_STATE (no migration running)
 */
export async function cancelVolumeMigration(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  requireWriteScope(actor, "cancel volume migrations");
  const data = parseInput(ZInput, input);
  const found = await findVolumeForActor(deps.db, actor, data.volume);
  const volume = await deps.db.volume.findUniqueOrThrow({ where: { id: found.id }, select: { name: true, state: true, activeJobId: true } });
  const job = volume.activeJobId ? await deps.db.job.findUnique({ where: { id: volume.activeJobId } }) : null;
  const record = job?.kind === "volume.migrate" && (job.state === "Queued" || job.state === "Running") ? (readJobRequest("volume.migrate", job).migration ?? null) : null;
  if (!job || !record) throw new CarveError("INVALID_STATE", `Volume ${volume.name} is not being migrated (it is ${volume.state}); there is nothing to cancel.`);
  await deps.queues.requestCancel(record.from.hostId, job.id);
  await deps.queues.requestCancel(record.to.hostId, record.receiveJobId);
  await deps.db.$transaction((tx) => recordEvent(tx, { type: "volume.migration-cancel", actor, jobId: job.id, message: `cancel of volume ${volume.name}'s migration requested` }));
  return job;
}
