import type { Prisma } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { dispatchJob } from "./dispatch-job.ts";
import { finaliseJob } from "./finalise-job.ts";
import { recordJobProgress } from "./record-progress.ts";

/** A queued job with no queue entry after this long is sent (again): Redis lost it or was away. */
const RESEND_AFTER_MS = 3_000;

export interface TSweepReport {
  inFlight: number;
  finalised: number;
  resent: number;
}

type TSettleOutcome = "finalised" | "resent" | "pending";

/**
 * Settles one job from what its host queue says: finalises it when the agent finished, records
 * progress while it runs, and (re)sends it when the queue never got it. Idempotent.
 */
export async function settleJob(deps: CoreDeps, jobId: string): Promise<TSettleOutcome> {
  const job = await deps.db.job.findUnique({ where: { id: jobId }, select: SETTLE_SELECT });
  return job ? settleLoadedJob(deps, job) : "pending";
}

const SETTLE_SELECT = { id: true, kind: true, state: true, hostId: true, request: true, createdAt: true, attempts: true, progress: true, step: true } as const;
type TSettleRow = Prisma.JobGetPayload<{ select: typeof SETTLE_SELECT }>;

async function settleLoadedJob(deps: CoreDeps, job: TSettleRow): Promise<TSettleOutcome> {
  if (!job.hostId || (job.state !== "Queued" && job.state !== "Running")) return "pending";
  const outcome = await deps.queues.outcome(job.hostId, job.id);
  if (outcome.state === "completed" || outcome.state === "failed") {
    const result = outcome.state === "completed" ? { ok: true as const, result: outcome.result } : { ok: false as const, message: outcome.reason };
    return (await finaliseJob(deps, job.id, result)) ? "finalised" : "pending";
  }
  if (outcome.state === "pending") {
    const { progress } = outcome;
    // Only a change is written: the sweep passes over every running job each round.
    if (progress && (Math.round(progress.percent) !== job.progress || progress.step !== job.step || job.state === "Queued")) {
      await recordJobProgress(deps, job.id, progress);
    }
    if (outcome.attemptsMade !== job.attempts) await deps.db.job.update({ where: { id: job.id }, data: { attempts: outcome.attemptsMade } });
    return "pending";
  }
  if (deps.now().getTime() - job.createdAt.getTime() > RESEND_AFTER_MS && (await dispatchJob(deps, { ...job, hostId: job.hostId }))) return "resent";
  return "pending";
}

export interface TSweepOptions {
  batch?: number;
  /**
   * Leave jobs younger than this to the live listener (the controller's periodic rounds): a burst
   * of fresh jobs is then not read back from Redis every round while their results stream in.
   * 0 (the default, and the controller's first round) settles every job in flight.
   */
  minAgeMs?: number;
}

/**
 * Settles every job in flight. Runs periodically and at controller start, so an outcome missed
 * while the controller was down, or a job Redis never received, still ends.
 */
export async function sweepJobs(deps: CoreDeps, options: TSweepOptions = {}): Promise<TSweepReport> {
  const minAgeMs = options.minAgeMs ?? 0;
  const young = minAgeMs > 0 ? { createdAt: { lte: new Date(deps.now().getTime() - minAgeMs) } } : {};
  const jobs = await deps.db.job.findMany({
    where: { state: { in: ["Queued", "Running"] }, hostId: { not: null }, ...young },
    select: SETTLE_SELECT,
    orderBy: { createdAt: "asc" },
    take: options.batch ?? 500,
  });
  const report: TSweepReport = { inFlight: jobs.length, finalised: 0, resent: 0 };
  for (const job of jobs) {
    const outcome = await settleLoadedJob(deps, job);
    if (outcome === "finalised") report.finalised += 1;
    if (outcome === "resent") report.resent += 1;
  }
  return report;
}
