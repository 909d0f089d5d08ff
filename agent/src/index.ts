/**
 * @carve/agent: the host agent. Run it with `npm start` (src/main.ts); these exports are for tests
 * and tools that embed it. Test helpers live in `@carve/agent/testing`.
 */
export { startAgent, type TAgentTuning, type TRunningAgent } from "./agent.ts";
export { AgentConfigError, loadAgentEnv, ZAgentEnv, type TAgentEnv } from "./env.ts";
export { HypervisorError } from "./hypervisor/errors.ts";
export type * from "./hypervisor/hypervisor.ts";
export { openHypervisor, type TOpenHypervisorOptions } from "./hypervisor/open-hypervisor.ts";
export { AGENT_VERSION } from "./version.ts";
