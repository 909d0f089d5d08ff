import { createDb } from "@carve/db";
import type { Logger } from "pino";
import type { CoreDeps } from "./context.ts";
import type { TCoreHooks } from "./hooks.ts";
import { createBullJobQueues } from "./queue/bullmq-job-queues.ts";
import { createProcessLogger } from "./logging/process-logger.ts";

export interface TCoreOptions {
  databaseUrl: string;
  redisUrl: string;
  /** BullMQ key prefix (default "bull"). */
  queuePrefix?: string;
  log?: Logger;
  now?: () => Date;
  hooks?: TCoreHooks;
}

export interface TCore extends CoreDeps {
  close(): Promise<void>;
}

/** Builds the dependencies every use-case takes: one database client, the job queues, a logger. */
export function createCore(options: TCoreOptions): TCore {
  const db = createDb(options.databaseUrl);
  const queues = createBullJobQueues({ redisUrl: options.redisUrl, prefix: options.queuePrefix ?? "bull" });
  return {
    db,
    queues,
    log: options.log ?? createProcessLogger("core", "info"),
    now: options.now ?? (() => new Date()),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    async close() {
      await queues.close();
      await db.$disconnect();
    },
  };
}
