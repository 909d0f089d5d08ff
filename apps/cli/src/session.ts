import { createCore, operatorActor, type TActor, type TCore } from "@carve/core";
import { pino } from "pino";
import { loadEnv } from "./env.ts";

export interface TSession {
  core: TCore;
  actor: TActor;
}

/**
 * Runs one command against core as the operator (the CLI runs on the management server, next to
 * the database), then closes every connection so the process exits.
 */
export async function withSession<T>(work: (session: TSession) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const core = createCore({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.CARVE_QUEUE_PREFIX,
    log: pino({ level: "silent" }),
  });
  try {
    return await work({ core, actor: await operatorActor(core) });
  } finally {
    await core.close();
  }
}
