import { readAgentConfig } from "../agent-config.ts";
import { AgentConfigError, agentConfigPath, loadAgentEnv, type TAgentEnv } from "../env.ts";
import { createLogger } from "../logger.ts";

/**
 * The settings for `run` and `doctor`: the environment over the config file that `join` wrote
 * (`--config`, else CARVE_AGENT_CONFIG, else /etc/carve/agent.json when it exists). A bad setting
 * exits 78 (EX_CONFIG) naming it.
 */
export async function loadSettings(configFlag: string | undefined): Promise<TAgentEnv> {
  try {
    const where = configFlag ? { path: configFlag, explicit: true } : agentConfigPath();
    return loadAgentEnv(process.env, await readAgentConfig(where.path, where.explicit), where.path);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    createLogger("error").fatal({ problems: error.problems }, error.message);
    process.exit(78);
  }
}
