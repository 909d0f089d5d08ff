import type { Job, Prisma, Template, Tx } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { jobRequest, readJobRequest, type TAwaitedCopy } from "../jobs/job-request.ts";
import type { TPlacementRequest } from "../placement/place-vm.ts";
import { CANDIDATE_LIMIT, rankCandidates, tryOrder, type TRankedCandidate } from "../placement/rank-candidates.ts";
import { stageTemplateCopy, templateVolumeName } from "../templates/ensure-template-copy.ts";

/** The step a waiting create shows, at the copy's percent. */
export const copyingStep = (percent: number): string => `copying template… ${percent} %`;

/**
 * For a create that no pool holding a Ready copy of its template can take (issue 19): the best host
 * and pool that could take it once the copy is made there, reserved with `reserveOn` (as
 * reserveBestFit does). Null when none could, or when the template has no image to copy (added from
 * a volume): the create is then refused as before, before anything is written.
 */
export async function reserveForStagedCopy(tx: Tx, template: Template, request: TPlacementRequest, reserveOn: (c: TRankedCandidate) => Promise<boolean>): Promise<TRankedCandidate | null> {
  if (template.storedPath === null || template.sha256 === null) return null;
  const ranked = await rankCandidates(tx, template.id, request, CANDIDATE_LIMIT, templateVolumeName(template));
  for (const candidate of tryOrder(ranked, request.memoryMiB)) {
    if (await reserveOn(candidate)) return candidate;
  }
  return null;
}

/**
 * Has the template copied to the create's pool (or joins the copy already on its way there: never
 * two copies of one template into one pool) and makes the create's job wait for it: no host, so it
 * is not sent yet; "copying template… N %" as its step while the copy runs. The copy's job is
 * returned for the caller to send after the commit (null when it was on its way already).
 */
export async function awaitStagedCopy(tx: Tx, deps: CoreDeps, actor: TActor, template: Template, placed: TRankedCandidate, job: Job): Promise<{ job: Job; copyJob: Job | null }> {
  const pool = { id: placed.poolId, name: placed.poolName, libvirtName: placed.poolLibvirtName };
  const staged = await stageTemplateCopy(tx, deps, actor, template, pool, placed.hostId);
  // Made Ready in between (another request's copy finished): nothing to wait for.
  if (staged.copy.state === "Ready" || staged.copy.jobId === null) return { job, copyJob: null };
  const awaits: TAwaitedCopy = { templateId: template.id, poolId: placed.poolId, jobId: staged.copy.jobId, hostId: placed.hostId };
  const request = jobRequest("vm.create", { ...readJobRequest("vm.create", job), awaitsCopy: awaits });
  const waiting = await tx.job.update({ where: { id: job.id }, data: { hostId: null, progress: staged.copy.progress, step: copyingStep(staged.copy.progress), request } });
  return { job: waiting, copyJob: staged.job };
}

/** The creates waiting for a template.copy job (Queued, no host yet). */
export function waitingCreates(tx: Tx, copyJobId: string): Promise<{ id: string; kind: string; vmId: string | null; hostId: string | null; request: Prisma.JsonValue }[]> {
  return tx.job.findMany({
    where: { kind: "vm.create", state: "Queued", hostId: null, request: { path: ["awaitsCopy", "jobId"], equals: copyJobId } },
    select: { id: true, kind: true, vmId: true, hostId: true, request: true },
  });
}
