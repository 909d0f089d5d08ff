import { CarveError } from "@carve/core";
import type { TJobSummary } from "../client/carve-client.ts";
import type { TOutput } from "../output.ts";

type TWait<J> = (jobId: string, options: { timeoutMs: number; onProgress: (job: J) => void }) => Promise<J>;

/**
 * With --wait: follows a job to its end through any client's wait (local core or the remote
 * server's /api/v1), printing each step; a failed job is an error (exit 1).
 */
export async function followJobWith<J extends TJobSummary>(wait: TWait<J>, jobId: string, out: TOutput, timeoutSec: number): Promise<J> {
  const job = await wait(jobId, {
    timeoutMs: timeoutSec * 1000,
    onProgress: (j) => out.progress(`  ${j.kind} ${j.state.toLowerCase()} ${j.progress}%${j.step ? ` ${j.step}` : ""}`),
  });
  if (job.state !== "Succeeded") {
    throw new CarveError("AGENT_ERROR", job.errorMessage ?? `Job ${job.id} ended ${job.state}.`);
  }
  return job;
}
