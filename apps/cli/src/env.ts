import { join } from "node:path";
import { readLocalRedis, ZDatabaseUrlSetting, ZQueuePrefixSetting, ZRedisUrlSetting, ZSecretKeySetting } from "@carve/core";
import { z } from "zod";
import { cliIo } from "./cli-io.ts";

/** npm start's state directory (CARVE_STATE_DIR there), where it keeps its own Redis's client URLs. */
const DEFAULT_STATE_DIR = join(import.meta.dirname, "..", "..", "..", "var", "run");

const ZEnv = z.object({
  DATABASE_URL: ZDatabaseUrlSetting.default("postgresql://root@localhost/carve?host=/var/run/postgresql"),
  REDIS_URL: ZRedisUrlSetting,
  CARVE_QUEUE_PREFIX: ZQueuePrefixSetting,
  /** The Redis URL hosts join through, with the join user's credentials (redis://carve-join:PASSWORD@mgmt:6379), printed in join commands; unset: REDIS_URL without credentials. */
  CARVE_AGENT_REDIS_URL: ZRedisUrlSetting.unwrap().optional(),
  /** Key for encrypted settings (the LDAP bind password): 64 hex digits; the same in every Carve process. */
  CARVE_SECRET_KEY: ZSecretKeySetting,
  /** Where `carve login` keeps the server's URL and API key: $XDG_CONFIG_HOME/carve (default ~/.config/carve). */
  XDG_CONFIG_HOME: z.string().min(1).optional(),
  /** The portal's public address (https://carve.example.com), for the links the CLI prints (vm console); unset: the page's path only. */
  CARVE_PORTAL_URL: z.url({ error: "must be the portal's address, e.g. https://carve.example.com" }).optional(),
  HOME: z.string().min(1).optional(),
});

export type TEnv = z.infer<typeof ZEnv>;

/**
 * The CLI's configuration (defaults match what `npm start` sets up: without REDIS_URL, the CLI
 * uses npm start's own Redis with the URLs it keeps in its state directory, owner-only).
 */
export function loadEnv(source: NodeJS.ProcessEnv = cliIo().env): TEnv {
  const local = source["REDIS_URL"] ? null : readLocalRedis(source["CARVE_STATE_DIR"] || DEFAULT_STATE_DIR);
  const parsed = ZEnv.safeParse(local ? { ...source, REDIS_URL: local.redisUrl, CARVE_AGENT_REDIS_URL: source["CARVE_AGENT_REDIS_URL"] || local.joinRedisUrl } : source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`carve: fix these settings: ${problems}`);
  }
  return parsed.data;
}
