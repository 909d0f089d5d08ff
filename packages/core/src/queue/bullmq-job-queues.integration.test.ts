import { randomUUID } from "node:crypto";
import { hostQueueName, PROTOCOL_VERSION } from "@carve/protocol";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import { createBullJobQueues } from "./bullmq-job-queues.ts";

const REDIS_URL = process.env["CARVE_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const prefix = `bjq-${process.pid}-${randomUUID().slice(0, 8)}`;
const queues = createBullJobQueues({ redisUrl: REDIS_URL, prefix });
const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });

afterAll(async () => {
  await queues.close();
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
});

it("tells the controller of jobs with a Job row, never of transient ones (no database read for each console opened)", async () => {
  const hostId = randomUUID();
  const heard: string[] = [];
  const stop = await queues.listen(hostId, {
    onProgress: (jobId) => heard.push(`progress ${jobId}`),
    onCompleted: (jobId) => heard.push(`completed ${jobId}`),
    onSettled: (jobId) => heard.push(`settled ${jobId}`),
  });
  const [attach, failing, start] = [randomUUID(), randomUUID(), randomUUID()];
  const job = (jobId: string) => ({ protocolVersion: PROTOCOL_VERSION, jobId, payload: {} });
  await queues.enqueue(hostId, [
    { name: "console.attach", envelope: job(attach), transient: true },
    { name: "console.attach", envelope: job(failing), transient: true },
    { name: "vm.start", envelope: job(start) },
  ]);
  // As an agent would: progress, then a result (or a failure); one job at a time, in order.
  const worker = new Worker(
    hostQueueName(hostId),
    async (running) => {
      await running.updateProgress({ percent: 50, step: "working" });
      if (running.data.jobId === failing) throw new Error("no such domain");
      return { ok: true };
    },
    { connection, prefix, concurrency: 1 },
  );
  try {
    await expect.poll(() => heard.includes(`completed ${start}`), { timeout: 10_000 }).toBe(true);
    // The transient jobs ran first: had they been reported, they would be here before.
    expect(heard).toEqual([`progress ${start}`, `completed ${start}`]);
  } finally {
    await worker.close();
    await stop();
  }
});
