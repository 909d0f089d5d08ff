import { AgentConfigError, loadAgentEnv } from "./env.ts";
import { createLogger } from "./logger.ts";
import { startAgent } from "./agent.ts";

/**
 * The agent process: parse settings, start, and on SIGTERM/SIGINT close gracefully (active jobs
 * finish) and exit 0. A second signal exits at once.
 */
async function main(): Promise<void> {
  let env;
  try {
    env = loadAgentEnv();
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    createLogger("error").fatal({ problems: error.problems }, error.message);
    process.exit(78); // EX_CONFIG
  }
  const log = createLogger(env.LOG_LEVEL, { hostId: env.CARVE_HOST_ID });
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

await main();
