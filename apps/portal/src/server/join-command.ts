import { joinCommand } from "@carve/core";
import { env } from "../env.ts";

/**
 * The one-time join command with the Redis address hosts use (CARVE_AGENT_REDIS_URL, or REDIS_URL
 * without its credentials): the admin hosts page and the REST API both show this one.
 */
export function portalJoinCommand(token: string, uri: string): string {
  const settings = env();
  return joinCommand(token, uri, { redisUrl: settings.REDIS_URL, joinRedisUrl: settings.CARVE_AGENT_REDIS_URL, queuePrefix: settings.CARVE_QUEUE_PREFIX });
}
