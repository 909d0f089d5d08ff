import { HEARTBEAT_INTERVAL_MS, hostLogLevelKey, switchLogLevel } from "@carve/protocol";
import type { Redis } from "ioredis";
import type { Logger } from "./logger.ts";

/** What the agent follows, and how often it looks. */
export interface TLogLevelOptions {
  redis: Redis;
  prefix: string;
  hostId: string;
  log: Logger;
  /** The level to run at when the control plane names none (LOG_LEVEL). */
  ownLevel: string;
  intervalMs?: number;
}

/**
 * The level to run at: the one the control plane published for this host when it is a level
 * this logger knows, otherwise the agent's own.
 */
export function wantedLevel(published: string | null, ownLevel: string, known: Record<string, number>): string {
  return published !== null && Object.hasOwn(known, published) ? published : ownLevel;
}

/**
 * Follows `carve settings log-level … --process agent` without a restart: every heartbeat interval
 * it reads the level the controller published in this host's own key space (the per-host Redis
 * user may read it) and switches the logger, and with it every job's child logger, to it. A failed
 * read keeps the current level and is logged once per distinct error.
 */
export function followLogLevel(options: TLogLevelOptions): { stop(): Promise<void> } {
  const { redis, log } = options;
  const key = hostLogLevelKey(options.prefix, options.hostId);
  let inFlight: Promise<void> = Promise.resolve();
  let lastError = "";
  const check = async (): Promise<void> => {
    const level = wantedLevel(await redis.get(key), options.ownLevel, log.levels.values);
    switchLogLevel(log, level);
  };
  const run = (): void => {
    inFlight = check().then(
      () => {
        lastError = "";
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) log.warn({ err: error, key }, "could not read the log level the control plane asks for; keeping the current one");
        lastError = message;
      },
    );
  };
  const timer = setInterval(run, options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  run();
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
