import {
  DEFAULT_HOST_GRACE_MS,
  DEFAULT_JOB_STUCK_MS,
  DEFAULT_RECONCILE_MS,
  MIN_HOST_GRACE_MS,
  ZDatabaseUrlSetting,
  ZQueuePrefixSetting,
  ZRedisUrlSetting,
  requireMetricsToken,
  ZMetricsTokenSetting,
  ZSecretKeySetting,
} from "@carve/core";
import { z } from "zod";

const ZEnv = z.object({
  DATABASE_URL: ZDatabaseUrlSetting,
  REDIS_URL: ZRedisUrlSetting,
  CARVE_QUEUE_PREFIX: ZQueuePrefixSetting,
  /** How often in-flight jobs are swept and host heartbeats read. */
  CARVE_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
  /** A host silent this long is Disconnected and its VMs Unknown; its jobs get as long again. */
  CARVE_HOST_GRACE_MS: z.coerce
    .number()
    .int()
    .min(MIN_HOST_GRACE_MS, `must be at least ${MIN_HOST_GRACE_MS} (two agent heartbeats), or hosts flap between beats`)
    .max(3_600_000)
    .default(DEFAULT_HOST_GRACE_MS),
  /** How often each Up host's inventory is compared with the database. */
  CARVE_RECONCILE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(DEFAULT_RECONCILE_MS),
  /** A job in flight this long on a host that still heartbeats is abandoned by the watchdog. */
  CARVE_JOB_STUCK_MS: z.coerce.number().int().min(60_000).max(7 * 86_400_000).default(DEFAULT_JOB_STUCK_MS),
  /** How often users and groups are synced from the directory (0: never; `carve directory sync` still works). */
  CARVE_DIRECTORY_SYNC_MS: z.coerce.number().int().min(0).max(86_400_000).default(15 * 60_000),
  /**
   * The template store: images downloaded by URL, the source of copies to pools. Agents read
   * from it (same filesystem for now), so it must be a plain absolute path.
   */
  CARVE_TEMPLATE_STORE: z
    .string()
    .regex(/^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/, "must be an absolute directory path of plain segments (letters, digits, . _ + -), e.g. /var/lib/carve/templates")
    .default("/var/lib/carve/templates"),
  /** Serve Prometheus /metrics on this port (all interfaces; 0: any free port, logged), with CARVE_METRICS_TOKEN. Unset: no metrics server. */
  CARVE_METRICS_PORT: z
    .string()
    .regex(/^\d{1,5}$/, "must be a port number from 0 to 65535")
    .transform(Number)
    .refine((port) => port <= 65_535, "must be a port number from 0 to 65535")
    .optional(),
  /** The bearer token /metrics requires (required with CARVE_METRICS_PORT). */
  CARVE_METRICS_TOKEN: ZMetricsTokenSetting.optional(),
  /** Key for encrypted settings (the LDAP bind password): 64 hex digits; the same in every Carve process. */
  CARVE_SECRET_KEY: ZSecretKeySetting,
}).superRefine(requireMetricsToken("CARVE_METRICS_PORT"));

export type TEnv = z.infer<typeof ZEnv>;

/** The controller's configuration; a bad value stops start-up naming the variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ");
    throw new Error(`carve-controller cannot start; fix these settings:\n  ${problems}`);
  }
  return parsed.data;
}
