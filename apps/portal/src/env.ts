import { ZDatabaseUrlSetting, ZLogLevelSetting, ZQueuePrefixSetting, ZRedisUrlSetting, ZSecretKeySetting } from "@carve/core";
import { z } from "zod";
import { parseTrustedProxies } from "./server/client-address.ts";

const ZEnv = z.object({
  DATABASE_URL: ZDatabaseUrlSetting,
  REDIS_URL: ZRedisUrlSetting,
  CARVE_QUEUE_PREFIX: ZQueuePrefixSetting,
  /** The Redis address hosts' agents use, shown in join commands when it differs from REDIS_URL. */
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
  CARVE_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((text, context) => {
      try {
        return parseTrustedProxies(text);
      } catch (error) {
        context.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    }),
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
