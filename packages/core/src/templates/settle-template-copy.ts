import type { Prisma, Tx } from "@carve/db";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { clause } from "../errors/clause.ts";
import { readJobRequest } from "../jobs/job-request.ts";

/**
 * Applies a finished template.copy job to its copy (inside the finaliser's or the watchdog's
 * transaction): Ready, or Error with the agent's reason. Only the copy still waiting on this very
 * job changes, so a late or repeated outcome is ignored.
 */
export async function settleTemplateCopy(tx: Tx, job: { id: string; hostId: string | null; request: Prisma.JsonValue }, outcome: { ok: true } | { ok: false; message: string }): Promise<void> {
  const request = readJobRequest("template.copy", job);
  const reason = outcome.ok ? null : `copying the template failed: ${clause(outcome.message)}; run 'carve template copy' again once the cause is fixed.`;
  const settled = await tx.templateCopy.updateMany({
    where: { templateId: request.templateId, poolId: request.poolId, jobId: job.id, state: "Copying" },
    data: outcome.ok ? { state: "Ready", progress: 100, stateReason: null } : { state: "Error", stateReason: reason },
  });
  if (settled.count === 0) return;
  await recordEvent(tx, {
    type: "template.copy",
    actor: SYSTEM_ACTOR,
    hostId: job.hostId,
    jobId: job.id,
    toState: outcome.ok ? "Ready" : "Error",
    message: reason ?? `template copy ${request.templateId} in pool ${request.poolId} is Ready`,
  });
}
