import { envelope, isJobName, type TJobName } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";

export interface TDispatchable {
  id: string;
  kind: string;
  hostId: string | null;
  request: unknown;
}

/** The agent payload kept on the Job row, so the job can be (re)sent after an outage. */
export function storedPayload(request: unknown): unknown {
  return request && typeof request === "object" && "payload" in request ? request.payload : undefined;
}

/**
 * Sends a recorded job to its host's queue. The Job row is the source of truth: when Redis is away
 * the job stays Queued and the controller's sweep sends it later, so no accepted request is lost.
 * Sending twice is harmless: the BullMQ job id is the Job id.
 */
export async function dispatchJob(deps: CoreDeps, job: TDispatchable): Promise<boolean> {
  if (!job.hostId || !isJobName(job.kind)) return false;
  try {
    const name: TJobName = job.kind;
    await deps.queues.enqueue(job.hostId, name, envelope(name, job.id, storedPayload(job.request) as never));
    return true;
  } catch (error) {
    deps.log.warn({ jobId: job.id, err: error }, "job recorded but not sent yet; the controller will send it");
    return false;
  }
}
