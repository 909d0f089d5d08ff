import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { hostQueueName, type TJobProgress } from "@carve/protocol";
import type { ConsoleListener } from "./console/console-listener.ts";
import type { SeedStore } from "./cloud-init/seed-store.ts";
import type { HostKey } from "./host-key.ts";
import type { Hypervisor } from "./hypervisor/hypervisor.ts";
import type { Logger } from "./logger.ts";
import type { AgentMetrics } from "./metrics.ts";
import type { VolumeReceiver } from "./storage-migration/receiver.ts";
import { KeyedLock } from "./jobs/keyed-lock.ts";
import { processJob } from "./jobs/process-job.ts";
import { throttleProgress } from "./jobs/progress-throttle.ts";

/** What the host worker needs. */
export interface HostWorkerOptions {
  hostId: string;
  prefix: string;
  concurrency: number;
  /** A connection with `maxRetriesPerRequest: null`, as BullMQ workers require. */
  connection: Redis;
  hypervisor: Hypervisor;
  log: Logger;
  pollIntervalMs?: number;
  rebootGracefulTimeoutSec?: number;
  hostKey: HostKey;
  seeds: SeedStore;
  metrics: AgentMetrics;
  /** Whether the control plane asked to cancel a job (its key in this host's key space). */
  cancelRequested?: (jobId: string) => Promise<boolean>;
  /** Receives volume streams from other hosts (storage migration). */
  volumeReceiver?: VolumeReceiver | undefined;
  /** Serves consoles (issue 18). */
  consoleListener?: ConsoleListener | undefined;
}

/**
 * The BullMQ worker on this host's own queue (`host.<hostId>`, and nothing else). Logs `failed`
 * and `error` events; closing it lets active jobs finish.
 */
export function createHostWorker(options: HostWorkerOptions): Worker {
  const { hostId, prefix, log } = options;
  const deps = {
    hypervisor: options.hypervisor,
    log,
    lock: new KeyedLock(),
    pollIntervalMs: options.pollIntervalMs ?? 500,
    rebootGracefulTimeoutSec: options.rebootGracefulTimeoutSec ?? 60,
    hostKey: options.hostKey,
    seeds: options.seeds,
    cancelRequested: options.cancelRequested,
    volumeReceiver: options.volumeReceiver,
    consoleListener: options.consoleListener,
  };
  const worker = new Worker(
    hostQueueName(hostId),
    async (job: Job) => {
      const progress = throttleProgress((p: TJobProgress) => job.updateProgress(p));
      try {
        return await options.metrics.observeJob(job.name, () => processJob({ id: job.id, name: job.name, data: job.data, updateProgress: progress.report }, deps));
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
