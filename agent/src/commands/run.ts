import { redisAddress, startAgent } from "../agent.ts";
import { createDoctorProbes } from "../doctor/doctor-probes.ts";
import { doctorPassed, runDoctor } from "../doctor/run-doctor.ts";
import { createLogger } from "../logger.ts";
import { loadSettings } from "./load-settings.ts";

/**
 * `carve-agent run` (and `npm start`): load settings, run the doctor's checks and refuse to start
 * naming each failed one and its fix, then start; on SIGTERM/SIGINT close gracefully (active jobs
 * finish) and exit 0. A second signal exits at once.
 */
export async function runCommand(options: { config?: string | undefined }): Promise<void> {
  const env = await loadSettings(options.config);
  const log = createLogger(env.LOG_LEVEL, { hostId: env.CARVE_HOST_ID });
  const probes = createDoctorProbes(env);
  const checks = await runDoctor(probes, { uri: env.CARVE_LIBVIRT_URI, redisAddress: redisAddress(env.REDIS_URL), dataDir: env.CARVE_AGENT_DATA_DIR, consoleListen: env.CARVE_AGENT_CONSOLE_LISTEN, beforeStart: true }).finally(() => probes.close());
  for (const warning of checks.filter((c) => c.status === "warn")) log.warn({ check: warning.name, fix: warning.fix }, `${warning.name}: ${warning.detail}`);
  if (!doctorPassed(checks)) {
    const failed = checks.filter((c) => c.status === "fail");
    const reasons = failed.map((c) => `${c.detail} (the ${c.name} check failed; fix: ${c.fix ?? "see carve-agent doctor"})`);
    log.fatal({ failed: failed.map((c) => c.name) }, `the agent could not start: ${reasons.join("; ")}`);
    process.exit(1);
  }
  const agent = await startAgent(env, log).catch((error: unknown) => {
    log.fatal({ err: error }, `the agent could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting without waiting for active jobs");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down: waiting for active jobs");
    agent.close().then(
      () => {
        log.info("agent stopped");
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, "agent did not close cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
