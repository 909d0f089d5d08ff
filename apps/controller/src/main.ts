import { advanceHostMaintenance, applyLogLevels, createCore, createProcessLogger, meterUsage, pruneExpiredPasswordReveals, reconcileHosts, recordPoolReports, refreshHostStates, startTemplateFetcher, sweepJobs, switchLogLevel, watchJobs, withIdentity } from "@carve/core";
import { loadEnv } from "./env.ts";
import { startDirectorySync } from "./directory-sync.ts";
import { announceSetupToken } from "./first-run.ts";
import { HostListeners } from "./host-listeners.ts";
import { startHostJoins } from "./host-joins.ts";
import { createControllerMetrics } from "./metrics.ts";

const env = loadEnv();
const log = createProcessLogger("controller", env.LOG_LEVEL);
const metrics = createControllerMetrics();
const core = createCore({ databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, queuePrefix: env.CARVE_QUEUE_PREFIX, log, hooks: metrics.hooks });
const listeners = new HostListeners(core);
const identity = withIdentity(core, { secretKey: env.CARVE_SECRET_KEY });
const templates = startTemplateFetcher(core, { storeDir: env.CARVE_TEMPLATE_STORE });
let directorySync: { stop(): Promise<void> } | null = null;
let metricsServer: { close(): void } | null = null;
let stopping = false;
let ticking: Promise<void> = Promise.resolve();
let rounds = 0;
/** Host id → the agent log level last handed to its queue (see applyLogLevels). */
const publishedAgentLevels = new Map<string, string | null>();
/** Jobs younger than this are the live listeners' to finalise; the sweep takes them after. */
const SWEEP_MIN_AGE_MS = 5_000;

/** One round of the controller's periodic work; each part logs and survives its own failure. */
async function tick(): Promise<void> {
  for (const [name, work] of [
    // `carve settings log-level` reaches this process within a round; unset, LOG_LEVEL is back in force.
    ["log levels", () => applyLogLevels(core, publishedAgentLevels).then((levels) => switchLogLevel(log, levels.controller ?? env.LOG_LEVEL))],
    ["hosts", () => refreshHostStates(core, { graceMs: env.CARVE_HOST_GRACE_MS })],
    ["pools", () => recordPoolReports(core)],
    ["listeners", () => listeners.sync()],
    // The first round settles everything (outcomes missed while the controller was down); later
    // ones leave fresh jobs to the live listeners.
    ["sweep", () => sweepJobs(core, { minAgeMs: rounds === 0 ? 0 : SWEEP_MIN_AGE_MS })],
    ["watchdog", () => watchJobs(core, { graceMs: env.CARVE_HOST_GRACE_MS, stuckMs: env.CARVE_JOB_STUCK_MS })],
    ["reconcile", () => reconcileHosts(core, { everyMs: env.CARVE_RECONCILE_MS })],
    // Moves host maintenances on (a finished move usually does it at once; this covers restarts).
    ["maintenance", () => advanceHostMaintenance(core)],
    ["password reveals", () => pruneExpiredPasswordReveals(core)],
    ["templates", () => templates.tick()],
    ["usage", () => meterUsage(core)],
  ] as const) {
    try {
      const report = await work();
      if (report && typeof report === "object" && "finalised" in report && (report.finalised > 0 || report.resent > 0)) {
        log.info({ report }, "sweep settled jobs");
      }
    } catch (err) {
      log.error({ err, part: name }, "controller round failed; retrying next round");
    }
  }
  rounds += 1;
}


async function loop(): Promise<void> {
  while (!stopping) {
    ticking = tick();
    await ticking;
    await new Promise((resolve) => setTimeout(resolve, env.CARVE_SWEEP_MS));
  }
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "controller stopping");
  await ticking;
  await templates.stop();
  await directorySync?.stop();
  await listeners.close();
  metricsServer?.close();
  await core.close();
  process.exit(0);
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
await tick();
await announceSetupToken(identity, log);
if (env.CARVE_DIRECTORY_SYNC_MS > 0) directorySync = startDirectorySync(identity, log, env.CARVE_DIRECTORY_SYNC_MS);
startHostJoins(core, env, log);
if (env.CARVE_METRICS_PORT !== undefined && env.CARVE_METRICS_TOKEN !== undefined) metricsServer = await metrics.serve(core, env.CARVE_METRICS_PORT, env.CARVE_METRICS_TOKEN, log);
log.info("controller ready");
void loop();
