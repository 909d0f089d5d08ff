import { parseSecretKey } from "@carve/core";
import { z } from "zod";

const ZEnv = z.object({
  DATABASE_URL: z.string().startsWith("postgres", "must be a postgresql:// URL"),
  REDIS_URL: z.string().startsWith("redis", "must be a redis:// URL").default("redis://127.0.0.1:6379"),
  CARVE_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, '_', '.' or '-'").default("bull"),
  /** How often in-flight jobs are swept and host heartbeats read. */
  CARVE_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
  /** How often users and groups are synced from the directory (0: never; `carve directory sync` still works). */
  CARVE_DIRECTORY_SYNC_MS: z.coerce.number().int().min(0).max(86_400_000).default(15 * 60_000),
  /** Key for encrypted settings (the LDAP bind password): 64 hex digits; the same in every Carve process. */
  CARVE_SECRET_KEY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      try {
        return parseSecretKey(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/^CARVE_SECRET_KEY /, "") });
        return z.NEVER;
      }
    }),
});

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
