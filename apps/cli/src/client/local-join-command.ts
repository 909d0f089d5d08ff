import { joinCommand } from "@carve/core";
import { loadEnv } from "../env.ts";

/**
 * The command a host's administrator runs on the host, with this CLI's Redis address (set
 * CARVE_AGENT_REDIS_URL when hosts reach Redis by another address). Remotely the server builds it
 * with its own settings.
 */
export function localJoinCommand(token: string, uri: string): string {
  const env = loadEnv();
  return joinCommand(token, uri, { redisUrl: env.REDIS_URL, joinRedisUrl: env.CARVE_AGENT_REDIS_URL, queuePrefix: env.CARVE_QUEUE_PREFIX });
}
