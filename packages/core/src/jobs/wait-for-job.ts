import type { Job } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TActor } from "../identity/actor.ts";
import { getJob, isFinished } from "./get-job.ts";

export interface TWaitOptions<J> {
  timeoutMs?: number;
  pollMs?: number;
  onProgress?: (job: J) => void;
}

/**
 * Waits until a job finishes, reporting progress as it changes. Throws TIMEOUT (the job goes on)
 * when it takes longer than `timeoutMs`.
 */
export async function waitForJob(deps: CoreDeps, actor: TActor, jobId: string, options: TWaitOptions<Job> = {}): Promise<Job> {
  return pollJob(() => getJob(deps, actor, jobId), jobId, options);
}

/**
 * waitForJob over any way of reading the job (core's getJob, or the REST API for a remote CLI):
 * asks `read` until the job has finished.
 */
export async function pollJob<J extends { kind: string; state: string; progress: number; step: string | null }>(read: () => Promise<J>, jobId: string, options: TWaitOptions<J> = {}): Promise<J> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let lastStep = "";
  for (;;) {
    const job = await read();
    const step = `${job.state}:${job.progress}:${job.step ?? ""}`;
    if (step !== lastStep) {
      lastStep = step;
      options.onProgress?.(job);
    }
    if (isFinished(job)) return job;
    if (Date.now() > deadline) {
      throw new CarveError("TIMEOUT", `Job ${jobId} (${job.kind}) is still ${job.state} at ${job.progress}%; it goes on in the background. Check it later with 'job show ${jobId}'.`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}
