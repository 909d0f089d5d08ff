import { DEFAULT_CONSOLE_PROXY_PORT, ZDatabaseUrlSetting, ZLogLevelSetting, ZQueuePrefixSetting, ZRedisUrlSetting, ZSecretKeySetting, ZTrustedProxiesSetting } from "@carve/core";
import { z } from "zod";

const ZEnv = z.object({
  DATABASE_URL: ZDatabaseUrlSetting,
  REDIS_URL: ZRedisUrlSetting,
  CARVE_QUEUE_PREFIX: ZQueuePrefixSetting,
  /** The Redis URL hosts join through, with the join user's credentials (redis://carve-join:PASSWORD@mgmt:6379), printed in join commands; unset: REDIS_URL without credentials. */
  CARVE_AGENT_REDIS_URL: ZRedisUrlSetting.unwrap().optional(),
  LOG_LEVEL: ZLogLevelSetting,
  /** Key for encrypted settings (the LDAP bind password): 64 hex digits, the same in every Carve process. */
  CARVE_SECRET_KEY: ZSecretKeySetting,
  /** Signs next-auth's session cookies. */
  NEXTAUTH_SECRET: z.string({ error: "is required: at least 32 random characters (openssl rand -base64 32)" }).min(32, "must be at least 32 random characters (openssl rand -base64 32)"),
  /** The portal's public URL: cookies are Secure when it is https, and state-changing requests must come from its origin. */
  NEXTAUTH_URL: z.url({ protocol: /^https?$/, error: "must be the portal's public URL, e.g. https://carve.example.com" }),
  /**
   * Reverse proxies in front of the portal (addresses/CIDRs, comma-separated): only for requests
   * from these is X-Forwarded-For (its right-most untrusted hop) and X-Request-Id believed. Empty:
   * the client address is always the TCP peer's.
   */
  CARVE_TRUSTED_PROXIES: ZTrustedProxiesSetting,
  /**
   * The console proxy's WebSocket URL as browsers reach it (ws:// or wss://, path /console), e.g.
   * wss://carve.example.com/console behind the portal's reverse proxy. Default: the portal's host
   * name on the proxy's default port (ws for an http portal, wss for https).
   */
  CARVE_CONSOLE_URL: z.url({ protocol: /^wss?$/, error: "must be the console proxy's ws:// or wss:// URL, e.g. wss://carve.example.com/console" }).optional(),
  /**
   * Tests only, never in production: "1" makes the portal kill itself (SIGKILL) after an
   * idempotent route's work committed and before its answer is written, as a crash there would.
   */
  CARVE_TEST_KILL_BEFORE_ANSWER: z.literal("1", { error: "is a test-only setting: leave it unset (or 1 in tests)" }).optional(),
}).transform(({ CARVE_CONSOLE_URL, ...settings }) => {
  const portal = new URL(settings.NEXTAUTH_URL);
  const derived = `${portal.protocol === "https:" ? "wss" : "ws"}://${portal.hostname}:${DEFAULT_CONSOLE_PROXY_PORT}/console`;
  return { ...settings, CARVE_CONSOLE_URL: CARVE_CONSOLE_URL ?? derived };
});

export type TEnv = z.infer<typeof ZEnv>;

/** The portal's configuration; a bad value stops start-up naming the variable. */
export function parseEnv(source: Record<string, string | undefined>): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ");
    throw new Error(`carve-portal cannot start; fix these settings:\n  ${problems}`);
  }
  return parsed.data;
}

let loaded: TEnv | undefined;

/**
 * Read on first use rather than at import: `next build` imports every module without the
 * runtime's settings.
 */
export function env(): TEnv {
  loaded ??= parseEnv(process.env);
  return loaded;
}
