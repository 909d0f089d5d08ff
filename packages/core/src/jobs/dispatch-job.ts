import { envelope, isJobName, type TJobEnvelope, type TJobName } from "@carve/protocol";
import { Batcher, batcherOf, type TBatchOutcome } from "../batching/batcher.ts";
import type { Prisma } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { readJobRequest } from "./job-request.ts";

export interface TDispatchable {
  id: string;
  kind: string;
  hostId: string | null;
  request: Prisma.JsonValue;
}

type TSend = { hostId: string; name: TJobName; envelope: TJobEnvelope };

/** Jobs sent together at most (per batch, across hosts). */
const MAX_BATCH = 200;

/**
 * Sends a recorded job to its host's queue. The Job row is the source of truth: when Redis is away
 * the job stays Queued and the controller's sweep sends it later, so no accepted request is lost.
 * Sending twice is harmless: the BullMQ job id is the Job id. Jobs dispatched at the same time (a
 * burst of creates recorded together) go to each host's queue in one round trip.
 */
export async function dispatchJob(deps: CoreDeps, job: TDispatchable): Promise<boolean> {
  if (!job.hostId || !isJobName(job.kind)) return false;
  const name: TJobName = job.kind;
  const batcher = batcherOf(deps.db, "dispatch-job", () => new Batcher((sends: TSend[]) => sendAll(deps, sends), { maxBatch: MAX_BATCH, concurrency: 4 }));
  try {
    // The agent payload kept on the Job row, so the job can be (re)sent after an outage.
    const { payload } = readJobRequest(name, job);
    await batcher.submit({ hostId: job.hostId, name, envelope: envelope(name, job.id, payload) });
    return true;
  } catch (error) {
    deps.log.warn({ jobId: job.id, err: error }, "job recorded but not sent yet; the controller will send it");
    return false;
  }
}

/** One enqueue per host, all hosts at once; a host's failure fails only its own jobs. */
async function sendAll(deps: CoreDeps, sends: TSend[]): Promise<TBatchOutcome<void>[]> {
  const byHost = new Map<string, TSend[]>();
  for (const send of sends) {
    const jobs = byHost.get(send.hostId);
    if (jobs) jobs.push(send);
    else byHost.set(send.hostId, [send]);
  }
  const failed = new Map<string, unknown>();
  await Promise.all([...byHost].map(([hostId, jobs]) => deps.queues.enqueue(hostId, jobs).catch((error: unknown) => void failed.set(hostId, error))));
  return sends.map((send) => (failed.has(send.hostId) ? { ok: false, error: failed.get(send.hostId) } : { ok: true, value: undefined }));
}
