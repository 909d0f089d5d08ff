import { Job as BullJob, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { hostHeartbeatKey, hostJobCancelKey, hostLogLevelKey, hostQueueName, ZHeartbeat, ZJobProgress, type TJobEnvelope, type TJobName } from "@carve/protocol";
import type { JobQueues, THeartbeat, TQueueDepth, TQueueListener, TQueueOutcome } from "../jobs/job-queues.ts";

export interface TBullOptions {
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one each. */
  prefix: string;
  /** Attempts per job before it fails for good (agent crashes and transient errors retry). */
  attempts?: number;
}

/** Keep finished jobs long enough for the controller to read their outcome after an outage. */
const KEEP_COMPLETED = { age: 7 * 24 * 3600, count: 100_000 };

const ENQUEUE_TIMEOUT_MS = 3_000;

/**
 * BullMQ's id of a transient job (console.attach: no Job row) starts with this, so `listen` can
 * drop its notifications without a database read (the controller would look for a Job row that
 * never exists, once per console opened). The envelope keeps its plain uuid.
 */
const TRANSIENT_ID_PREFIX = "transient-";
const isTransientId = (jobId: string): boolean => jobId.startsWith(TRANSIENT_ID_PREFIX);

function withTimeout<T>(ms: number, message: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  work.catch(() => undefined); // a late failure after the timeout is not an unhandled rejection
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** JobQueues on BullMQ: one Queue per host, a fail-fast producer connection. */
export function createBullJobQueues(options: TBullOptions): JobQueues {
  // Producer: fail fast when Redis is away, so the request is recorded and retried by the sweep.
  const producer = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  producer.on("error", () => undefined); // reported by the calls that fail
  const queues = new Map<string, Queue>();
  /**
   * Runs one operation on a host's Queue. A Queue that was first used while Redis was away keeps
   * failing with the error of its start-up even after Redis is back, so any failure drops it and
   * the next call builds a fresh one on the same (reconnecting) connection.
   */
  const withQueue = async <T>(hostId: string, work: (queue: Queue) => Promise<T>): Promise<T> => {
    let queue = queues.get(hostId);
    if (!queue) {
      queue = new Queue(hostQueueName(hostId), { connection: producer, prefix: options.prefix });
      queue.on("error", () => undefined);
      queues.set(hostId, queue);
    }
    try {
      return await work(queue);
    } catch (error) {
      if (queues.get(hostId) === queue) queues.delete(hostId);
      void queue.close().catch(() => undefined);
      throw error;
    }
  };

  return {
    async enqueue(hostId: string, jobs: { name: TJobName; envelope: TJobEnvelope; transient?: boolean }[]): Promise<void> {
      // While Redis reconnects BullMQ waits for it; a request must not: the job is recorded and
      // the sweep sends it later (the same job id makes a late duplicate add a no-op).
      await withQueue(hostId, (queue) =>
        withTimeout(
          ENQUEUE_TIMEOUT_MS,
          "Redis did not accept the job in time",
          queue.addBulk(
            jobs.map(({ name, envelope, transient }) => ({
              name,
              data: envelope,
              opts: transient
                ? // Nobody reads its outcome later, and a late retry would be useless (its moment passed).
                  { jobId: `${TRANSIENT_ID_PREFIX}${envelope.jobId}`, attempts: 1, removeOnComplete: true, removeOnFail: true }
                : {
                    jobId: envelope.jobId,
                    attempts: options.attempts ?? 5,
                    backoff: { type: "exponential", delay: 1000 },
                    removeOnComplete: KEEP_COMPLETED,
                    removeOnFail: KEEP_COMPLETED,
                  },
            })),
          ),
        ),
      );
    },

    async outcome(hostId: string, jobId: string): Promise<TQueueOutcome> {
      const found = await withQueue(hostId, async (queue) => {
        // State first, then the job: read the other way round, a job finishing in between would
        // look completed with no result yet.
        const state = await queue.getJobState(jobId);
        if (state === "unknown") return null;
        const job = await BullJob.fromId(queue, jobId);
        return job ? { job, state } : null;
      });
      if (!found) return { state: "missing" };
      const { job, state } = found;
      if (state === "completed") return { state: "completed", result: job.returnvalue };
      if (state === "failed") {
        return { state: "failed", reason: job.failedReason || "the agent gave no reason", attemptsMade: job.attemptsMade };
      }
      const progress = ZJobProgress.safeParse(job.progress);
      return {
        state: "pending",
        progress: progress.success ? progress.data : null,
        attemptsMade: job.attemptsMade,
        active: state === "active",
      };
    },

    async heartbeat(hostId: string): Promise<THeartbeat | null> {
      const raw = await producer.get(hostHeartbeatKey(options.prefix, hostId));
      if (!raw) return null;
      try {
        const parsed = ZHeartbeat.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },

    async discard(hostId: string, jobId: string): Promise<boolean> {
      // 0 when an agent holds the job's lock (or it is gone already).
      const removed = await withQueue(hostId, (queue) => queue.remove(jobId));
      return removed === 1 || !(await withQueue(hostId, (queue) => BullJob.fromId(queue, jobId)));
    },

    async depth(hostId: string): Promise<TQueueDepth> {
      const counts = await withQueue(hostId, (queue) => queue.getJobCounts("waiting", "prioritized", "delayed", "active"));
      return { waiting: (counts["waiting"] ?? 0) + (counts["prioritized"] ?? 0) + (counts["delayed"] ?? 0), active: counts["active"] ?? 0 };
    },

    async setAgentLogLevel(hostId: string, level: string | null): Promise<void> {
      const key = hostLogLevelKey(options.prefix, hostId);
      await (level === null ? producer.del(key) : producer.set(key, level));
    },

    async requestCancel(hostId: string, jobId: string): Promise<void> {
      await producer.set(hostJobCancelKey(options.prefix, hostId, jobId), "1", "EX", 24 * 3600);
    },

    async remember(key: string, ttlMs: number): Promise<boolean> {
      return (await producer.set(`${options.prefix}:remember:${key}`, "1", "PX", Math.max(1, Math.ceil(ttlMs)), "NX")) === "OK";
    },

    async listen(hostId: string, listener: TQueueListener): Promise<() => Promise<void>> {
      // QueueEvents blocks on a connection of its own; we made it, so we close it.
      const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
      connection.on("error", () => undefined);
      const events = new QueueEvents(hostQueueName(hostId), { connection, prefix: options.prefix });
      events.on("error", () => undefined);
      events.on("progress", ({ jobId, data }) => !isTransientId(jobId) && listener.onProgress(jobId, data));
      events.on("completed", ({ jobId, returnvalue }) => !isTransientId(jobId) && listener.onCompleted(jobId, returnvalue));
      events.on("failed", ({ jobId }) => !isTransientId(jobId) && listener.onSettled(jobId));
      await events.waitUntilReady();
      return async () => {
        await events.close();
        connection.disconnect();
      };
    },

    async close(): Promise<void> {
      await Promise.all([...queues.values()].map((q) => q.close()));
      producer.disconnect();
    },
  };
}
