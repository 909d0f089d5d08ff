/**
 * A stand-in agent for the BullMQ ceiling: one worker per host queue named in BENCH_HOST_IDS,
 * with the agent's connection settings and concurrency, whose jobs return at once. Started as a
 * child process by ceiling-bullmq.ts (one per host, like the agents); stops on SIGTERM.
 */
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { hostQueueName } from "@carve/protocol";

const hostIds = (process.env["BENCH_HOST_IDS"] ?? "").split(",").filter(Boolean);
const prefix = process.env["BENCH_PREFIX"] ?? "";
const concurrency = Number(process.env["BENCH_CONCURRENCY"] ?? "8");
const connection = new Redis(process.env["BENCH_REDIS_URL"] ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });

const workers = hostIds.map(
  (hostId) => new Worker(hostQueueName(hostId), async () => ({ ok: true }), { connection, prefix, concurrency, lockDuration: 15_000, stalledInterval: 5_000 }),
);
for (const worker of workers) worker.on("error", (error) => console.error(`worker error: ${error.message}`));
await Promise.all(workers.map((w) => w.waitUntilReady()));
console.log("noop worker ready");

process.on("SIGTERM", () => {
  void Promise.all(workers.map((w) => w.close())).then(async () => {
    await connection.quit();
    process.exit(0);
  });
});
