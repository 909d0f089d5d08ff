import { createRequire } from "node:module";

/** This agent's version, from its package.json (reported in every heartbeat). */
export const AGENT_VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
