import { join } from "node:path";
import { z } from "zod";
import { REPO_ROOT } from "./lib/service.ts";

const ZStartEnv = z.object({
  DATABASE_URL: z.string().startsWith("postgres", "must be a postgresql:// URL").default("postgresql://root@localhost/carve?host=/var/run/postgresql"),
  /** An existing Redis to use (with its credentials); unset: npm start runs Carve's own, locked down, on CARVE_REDIS_PORT. */
  REDIS_URL: z.string().startsWith("redis", "must be a redis:// URL").optional(),
  CARVE_REDIS_PORT: z.coerce.number().int().min(1, "must be a TCP port").max(65535, "must be a TCP port").default(6380),
  CARVE_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, '_', '.' or '-'").default("bull"),
  /** Logs, console logs and the demo host's files. */
  CARVE_STATE_DIR: z.string().startsWith("/", "must be an absolute path").default(join(REPO_ROOT, "var", "run")),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
  /** Where the web portal listens (loopback by default). */
  CARVE_PORTAL_HOST: z.string().min(1).default("127.0.0.1"),
  CARVE_PORTAL_PORT: z.coerce.number().int().min(1, "must be a TCP port").max(65535, "must be a TCP port").default(3000),
  /** Where the console proxy (apps/console) listens, on CARVE_PORTAL_HOST: the portal's pages open consoles there. */
  CARVE_CONSOLE_PORT: z.coerce.number().int().min(1, "must be a TCP port").max(65535, "must be a TCP port").default(3001),
  /** Passed on to every process (encrypted settings); optional for the demo. */
  CARVE_SECRET_KEY: z.string().optional(),
});

/** `npm start`'s settings; a bad value stops it naming the variable. */
export function loadStartEnv(source: NodeJS.ProcessEnv = process.env): z.infer<typeof ZStartEnv> {
  const parsed = ZStartEnv.safeParse(source);
  if (!parsed.success) {
    throw new Error(`npm start: fix these settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
