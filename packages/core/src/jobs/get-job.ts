import type { Job } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { isAdmin, type TActor } from "../identity/actor.ts";

/** A job the actor may see: their own, or any for admins. */
export async function getJob(deps: CoreDeps, actor: TActor, jobId: string): Promise<Job> {
  const job = await deps.db.job.findUnique({ where: { id: jobId } });
  const visible = job && (isAdmin(actor) || (actor.kind === "user" && job.actorId === actor.userId));
  if (!job || !visible) throw new CarveError("JOB_NOT_FOUND", `No job ${jobId} among the jobs you can see.`);
  return job;
}

export function isFinished(job: { state: string }): boolean {
  return job.state === "Succeeded" || job.state === "Failed" || job.state === "Cancelled";
}
