import type { Db } from "@carve/db";
import type { Logger } from "pino";
import type { TCoreHooks } from "./hooks.ts";
import type { JobQueues } from "./jobs/job-queues.ts";

/** What every use-case needs, built once per process and passed down (no globals). */
export interface CoreDeps {
  db: Db;
  queues: JobQueues;
  log: Logger;
  /** Injected so tests can control time. */
  now: () => Date;
  /** Optional observers (the controller's metrics); absent, nothing is reported. */
  hooks?: TCoreHooks;
}
