import { startHostJoinService, type TCore } from "@carve/core";
import type { Logger } from "pino";

/**
 * Answers `carve-agent join` requests and keeps per-host Redis users in line with the database
 * (see core's startHostJoinService). Stops with the process: its connections close on SIGTERM and
 * SIGINT, before the controller's own shutdown exits.
 */
export function startHostJoins(core: TCore, env: { REDIS_URL: string; CARVE_QUEUE_PREFIX: string }, log: Logger): void {
  const service = startHostJoinService({ ...core, log: log.child({ part: "joins" }) }, { redisUrl: env.REDIS_URL, prefix: env.CARVE_QUEUE_PREFIX });
  const stop = (): void => void service.stop().catch((err: unknown) => log.warn({ err }, "host join service did not stop cleanly"));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
