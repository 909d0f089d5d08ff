import { ZDatabaseUrlSetting, ZQueuePrefixSetting, ZRedisUrlSetting, ZSecretKeySetting } from "@carve/core";
import { z } from "zod";

const ZEnv = z.object({
  DATABASE_URL: ZDatabaseUrlSetting.default("postgresql://root@localhost/carve?host=/var/run/postgresql"),
  REDIS_URL: ZRedisUrlSetting,
  CARVE_QUEUE_PREFIX: ZQueuePrefixSetting,
  /** The Redis address hosts' agents use, printed in join commands when it differs from REDIS_URL. */
  CARVE_AGENT_REDIS_URL: ZRedisUrlSetting.unwrap().optional(),
  /** Key for encrypted settings (the LDAP bind password): 64 hex digits; the same in every Carve process. */
  CARVE_SECRET_KEY: ZSecretKeySetting,
  /** Where `carve login` keeps the server's URL and API key: $XDG_CONFIG_HOME/carve (default ~/.config/carve). */
  XDG_CONFIG_HOME: z.string().min(1).optional(),
  HOME: z.string().min(1).optional(),
});

export type TEnv = z.infer<typeof ZEnv>;

/** The CLI's configuration (defaults match what `npm start` sets up). */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`carve: fix these settings: ${problems}`);
  }
  return parsed.data;
}
