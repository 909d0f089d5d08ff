import { DEFAULT_CONSOLE_PROXY_PORT, ZDatabaseUrlSetting, ZLogLevelSetting, ZQueuePrefixSetting, ZRedisUrlSetting, ZTrustedProxiesSetting } from "@carve/core";
import { z } from "zod";

/** `HOST:PORT` or `[IPv6]:PORT`, as the proxy's listen address. */
const ZListen = z
  .string()
  .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be HOST:PORT, e.g. 127.0.0.1:3001 or [::1]:3001")
  .transform((text) => {
    const at = text.lastIndexOf(":");
    return { host: text.slice(0, at).replace(/^\[(.*)\]$/, "$1"), port: Number(text.slice(at + 1)) };
  })
  .refine(({ port }) => port <= 65_535, "must end in a port number from 0 to 65535");

const ZEnv = z.object({
  DATABASE_URL: ZDatabaseUrlSetting,
  REDIS_URL: ZRedisUrlSetting,
  CARVE_QUEUE_PREFIX: ZQueuePrefixSetting,
  LOG_LEVEL: ZLogLevelSetting,
  /**
   * Where browsers' WebSockets arrive. Loopback by default: the proxy is meant to sit behind the
   * reverse proxy that serves the portal's host name and terminates TLS (wss://carve.example.com/console),
   * so it never speaks plain ws to the network by accident. Port 0 takes any free port (logged).
   */
  CARVE_CONSOLE_LISTEN: ZListen.prefault(`127.0.0.1:${DEFAULT_CONSOLE_PROXY_PORT}`),
  /** The portal's public URL (the same as the portal's): the only Origin allowed, and how its session cookie is named. */
  NEXTAUTH_URL: z.url({ protocol: /^https?$/, error: "must be the portal's public URL, e.g. https://carve.example.com (the same as the portal's)" }),
  /** The portal's NEXTAUTH_SECRET: the proxy decodes the portal's session cookie with it. */
  NEXTAUTH_SECRET: z.string({ error: "is required: the portal's NEXTAUTH_SECRET" }).min(32, "must be the portal's NEXTAUTH_SECRET (at least 32 characters)"),
  /** Reverse proxies whose X-Forwarded-For is believed (addresses/CIDRs, comma-separated), as for the portal. */
  CARVE_TRUSTED_PROXIES: ZTrustedProxiesSetting,
});

export type TEnv = z.infer<typeof ZEnv>;

/** The console proxy's configuration; a bad value stops start-up naming the variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ");
    throw new Error(`carve-console cannot start; fix these settings:\n  ${problems}`);
  }
  return parsed.data;
}
