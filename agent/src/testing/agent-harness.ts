import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Queue, QueueEvents, type Job, type JobsOptions } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { envelope, hostQueueName, type TJobName, type TJobPayload, type TJobResult } from "@carve/protocol";
import { startAgent, type TAgentTuning, type TRunningAgent } from "../agent.ts";
import { loadAgentEnv } from "../env.ts";
import { writeTestNodeXml, type TTestNode, type TTestNodeOptions } from "./node-xml.ts";

/** How to start an in-process agent for a test. */
export interface TTestAgentOptions {
  node?: TTestNodeOptions;
  redisUrl?: string | undefined;
  concurrency?: number;
  tuning?: TAgentTuning;
}

/** How a job ended. */
export type TJobOutcome = { state: "completed"; result: unknown } | { state: "failed"; reason: string; attemptsMade: number };

/** An agent on its own test node and unique queue prefix, with a producer to feed it. */
export interface TTestAgent {
  hostId: string;
  prefix: string;
  node: TTestNode;
  agent: TRunningAgent;
  queue: Queue;
  /** A plain connection for inspecting Redis. */
  redis: Redis;
  /** Enqueues raw job data (use `envelope()` for well-formed jobs). */
  submit(name: string, data: unknown, opts?: JobsOptions): Promise<Job>;
  /** Waits for a submitted job to complete or fail for good. */
  outcome(job: Job): Promise<TJobOutcome>;
  /** Enqueues a well-formed job, waits, returns its result; throws with the failure reason. */
  run<N extends TJobName>(name: N, payload: TJobPayload<N>): Promise<TJobResult<N>>;
  /** Stops the agent and deletes every key under the prefix and the node's files. */
  close(): Promise<void>;
}

/**
 * Starts the real agent in this process against libvirt's test driver and a real Redis, isolated
 * by a fresh host id and queue prefix. Inspect libvirt through `agent.hypervisor`: the test driver's
 * state lives in the agent's own connections, a new connection would see a fresh node.
 */
export async function startTestAgent(options: TTestAgentOptions = {}): Promise<TTestAgent> {
  const node = await writeTestNodeXml(options.node);
  const hostId = randomUUID();
  const prefix = `carvetest-${randomUUID().slice(0, 8)}`;
  const redisUrl = options.redisUrl ?? "redis://127.0.0.1:6379";
  const env = loadAgentEnv({
    CARVE_HOST_ID: hostId,
    CARVE_LIBVIRT_URI: node.uri,
    REDIS_URL: redisUrl,
    CARVE_QUEUE_PREFIX: prefix,
    CARVE_AGENT_CONCURRENCY: String(options.concurrency ?? 8),
    CARVE_AGENT_DATA_DIR: join(node.dir, "agent-data"),
    // Tests run agents side by side: never the fixed default port of the storage-migration receiver.
    CARVE_AGENT_MIGRATION_LISTEN: "127.0.0.1:0",
    CARVE_AGENT_CONSOLE_LISTEN: "127.0.0.1:0",
    LOG_LEVEL: "silent",
  });
  const agent = await startAgent(env, pino({ level: "silent" }), { pollIntervalMs: 20, ...options.tuning });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(hostQueueName(hostId), { connection: redis, prefix });
  const eventsRedis = redis.duplicate();
  const events = new QueueEvents(hostQueueName(hostId), { connection: eventsRedis, prefix });
  // Tests wait on many jobs at once; each wait adds a listener.
  events.setMaxListeners(0);
  queue.setMaxListeners(0);
  await events.waitUntilReady();

  const outcome = async (job: Job): Promise<TJobOutcome> => {
    try {
      return { state: "completed", result: await job.waitUntilFinished(events, 20_000) };
    } catch (error) {
      const failed = await queue.getJob(job.id ?? "");
      const reason = failed?.failedReason ?? (error instanceof Error ? error.message : String(error));
      return { state: "failed", reason, attemptsMade: failed?.attemptsMade ?? 0 };
    }
  };
  const submit = (name: string, data: unknown, opts?: JobsOptions) => queue.add(name, data, opts);

  return {
    hostId,
    prefix,
    node,
    agent,
    queue,
    redis,
    submit,
    outcome,
    run: async (name, payload) => {
      const ended = await outcome(await submit(name, envelope(name, randomUUID(), payload)));
      if (ended.state === "failed") throw new Error(ended.reason);
      return ended.result as TJobResult<typeof name>;
    },
    close: async () => {
      await agent.close();
      await events.close();
      await queue.close();
      eventsRedis.disconnect();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await rm(node.dir, { recursive: true, force: true });
    },
  };
}
