import { waitForJob, CarveError, type TCore, type TActor } from "@carve/core";
import type { TOutput } from "../output.ts";

/** With --wait: follows a job to its end, printing each step; a failed job is an error (exit 1). */
export async function followJob(core: TCore, actor: TActor, jobId: string, out: TOutput, timeoutSec: number) {
  const job = await waitForJob(core, actor, jobId, {
    timeoutMs: timeoutSec * 1000,
    onProgress: (j) => out.progress(`  ${j.kind} ${j.state.toLowerCase()} ${j.progress}%${j.step ? ` ${j.step}` : ""}`),
  });
  if (job.state !== "Succeeded") {
    throw new CarveError("AGENT_ERROR", job.errorMessage ?? `Job ${job.id} ended ${job.state}.`);
  }
  return job;
}
