import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { hostQueueName, type TJobProgress } from "@carve/protocol";
import type { TJobServices } from "./handlers/index.ts";
import type { TAgentMetrics } from "./metrics.ts";
import { processJob } from "./jobs/process-job.ts";
import { throttleProgress } from "./jobs/progress-throttle.ts";

/** What the host worker needs. */
export interface THostWorkerOptions {
  hostId: string;
  prefix: string;
  concurrency: number;
  /** A connection with `maxRetriesPerRequest: null`, as BullMQ workers require. */
  connection: Redis;
  metrics: TAgentMetrics;
  /** What every job shares (the hypervisor, the host key, the VM lock…). */
  services: TJobServices;
}

/**
 * The BullMQ worker on this host's own queue (`host.<hostId>`, and nothing else). Logs `failed`
 * and `error` events; closing it lets active jobs finish.
 */
export function createHostWorker(options: THostWorkerOptions): Worker {
  const { hostId, prefix } = options;
  const log = options.services.log;
  const worker = new Worker(
    hostQueueName(hostId),
    async (job: Job) => {
      const progress = throttleProgress((p: TJobProgress) => job.updateProgress(p));
      try {
        return await options.metrics.observeJob(job.name, () => processJob({ id: job.id, name: job.name, data: job.data, updateProgress: progress.report }, options.services));
      } finally {
        progress.end();
      }
    },
    {
      connection: options.connection,
      prefix,
      concurrency: options.concurrency,
      // The lock is renewed every lockDuration/2 while a job runs; after a crash (kill -9) it
      // expires within 15 s and the next stalled check (every 5 s) hands the job to a worker again.
      lockDuration: 15_000,
      stalledInterval: 5_000,
    },
  );

  worker.on("active", (job) => log.debug({ jobId: job.id, job: job.name }, "job started"));
  worker.on("completed", (job) => log.info({ jobId: job.id, job: job.name }, "job completed"));
  worker.on("failed", (job, error) =>
    log.warn(
      { jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, unrecoverable: error.name === "UnrecoverableError", err: error },
      "job failed",
    ),
  );
  worker.on("error", (error) => log.error({ err: error }, "worker error"));
  return worker;
}
