import type { CoreDeps } from "../context.ts";
import type { TFinishedJob } from "../hooks.ts";

/**
 * Says that a job ended, once, after its final state is committed: a log line carrying the job id
 * and the process's hook (the controller counts it in /metrics).
 */
export function reportJobFinished(deps: CoreDeps, job: TFinishedJob): void {
  deps.log.info({ jobId: job.jobId, kind: job.kind, outcome: job.outcome, errorCode: job.errorCode, durationMs: job.durationMs }, "job finished");
  deps.hooks?.jobFinished?.(job);
}
