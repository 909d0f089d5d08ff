import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { hostQueueName } from "@carve/protocol";
import { startService } from "../../scripts/lib/service.ts";
import { onCleanup } from "./cleanup.ts";
import { deleteRedisKeys } from "./redis-keys.ts";
import { summarize, timeEach, type TSummary } from "./stats.ts";

export interface TBullCeilingOptions {
  redisUrl: string;
  hosts: number;
  /** Jobs in flight at once in a batch (the end-to-end run's concurrent creates). */
  batch: number;
  rounds: number;
  sequential: number;
  /** Worker concurrency per host queue (the agent's default). */
  concurrency: number;
  logDir: string;
}

export interface TBullCeiling {
  /** One job at a time: add → no-op worker → completed event seen by the producer side. */
  sequential: TSummary;
  /** Per-job latency inside the batches (add call start → completed seen). */
  batchLatency: TSummary;
  /** Jobs per second of the median batch. */
  perSecond: number;
}

/**
 * Raw BullMQ round trips with no-op jobs through as many host queues as the end-to-end run: the
 * producer side (this process) adds with core's job options and learns completions through
 * QueueEvents, as the controller does; the workers run in one child process per host, as agents do.
 */
export async function measureBullCeiling(options: TBullCeilingOptions): Promise<TBullCeiling> {
  const prefix = `carve-bench-${randomBytes(4).toString("hex")}`;
  const hostIds = Array.from({ length: options.hosts }, () => randomUUID());
  onCleanup(`delete Redis keys ${prefix}:*`, () => deleteRedisKeys(options.redisUrl, prefix));

  for (const [i, hostId] of hostIds.entries()) {
    const worker = await startService({
      name: `no-op worker ${i + 1}`,
      entry: "test/bench/noop-worker.ts",
      env: { BENCH_HOST_IDS: hostId, BENCH_PREFIX: prefix, BENCH_REDIS_URL: options.redisUrl, BENCH_CONCURRENCY: String(options.concurrency) },
      logFile: join(options.logDir, `noop-worker-${i + 1}.log`),
      readyText: "noop worker ready",
    });
    onCleanup(`stop no-op worker ${i + 1}`, () => worker.stop());
  }

  // Like core's producer: fail fast; like the controller's listener: one blocking connection per queue.
  const producer = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  producer.on("error", () => undefined); // a failing call rejects and fails the bench with its own error
  const queues = hostIds.map((id) => new Queue(hostQueueName(id), { connection: producer, prefix }));
  const waiting = new Map<string, () => void>();
  const listeners = await Promise.all(
    hostIds.map(async (id) => {
      const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
      connection.on("error", () => undefined); // ioredis reconnects; a completion it misses times out below
      // From the stream's start: "$" would miss events written before the first blocking read.
      const events = new QueueEvents(hostQueueName(id), { connection, prefix, lastEventId: "0" });
      events.on("completed", ({ jobId }) => {
        waiting.get(jobId)?.();
        waiting.delete(jobId);
      });
      await events.waitUntilReady();
      return { events, connection };
    }),
  );
  onCleanup("close the BullMQ ceiling's producer and listeners", async () => {
    await Promise.all(queues.map((q) => q.close()));
    await Promise.all(listeners.map(async ({ events, connection }) => (await events.close(), connection.disconnect())));
    producer.disconnect();
  });

  const roundTrip = async (i: number): Promise<void> => {
    const jobId = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve, reject) => {
      waiting.set(jobId, resolve);
      timer = setTimeout(() => reject(new Error(`no completion seen for no-op job ${jobId} within 30 s`)), 30_000);
    }).finally(() => clearTimeout(timer));
    const queue = queues[i % queues.length];
    if (!queue) throw new Error("no queue");
    // core's options (bullmq-job-queues.ts), so Redis does the same bookkeeping per job.
    await queue.add("noop", { jobId }, { jobId, attempts: 5, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: { age: 604800, count: 100_000 } });
    await done;
  };

  await timeEach(200, 50, roundTrip); // warm-up: connections, scripts loaded, JIT
  const sequential = await timeEach(options.sequential, 1, roundTrip);
  const batchLatency: number[] = [];
  const rates: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const start = performance.now();
    batchLatency.push(...(await timeEach(options.batch, options.batch, roundTrip)));
    rates.push(options.batch / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { sequential: summarize(sequential), batchLatency: summarize(batchLatency), perSecond: rates[Math.floor(rates.length / 2)] ?? Number.NaN };
}
