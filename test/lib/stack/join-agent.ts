import { spawn } from "node:child_process";
import { join } from "node:path";
import { hostRedisUser } from "@carve/protocol";
import { Redis } from "ioredis";
import { REPO_ROOT, startService, type TService } from "../../../scripts/lib/service.ts";
import type { Stack } from "./stack.ts";

export interface TJoinRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `carve-agent join` (the installed bin script) as a child process against the stack's Redis
 * (or `redisUrl`, e.g. a join user's) and prefix; `tokenInEnv` passes the token as CARVE_JOIN_TOKEN
 * instead of --token.
 */
export function runAgentJoin(stack: Stack, token: string, uri: string, config: string, options: { redisUrl?: string; tokenInEnv?: boolean } = {}): Promise<TJoinRun> {
  const tokenArgs = options.tokenInEnv ? [] : ["--token", token];
  const args = [join(REPO_ROOT, "agent/bin/carve-agent.js"), "join", ...tokenArgs, "--redis", options.redisUrl ?? stack.redisUrl, "--prefix", stack.prefix, "--uri", uri, "--config", config, "--data-dir", join(stack.dir, "agent-data-joined"), "--timeout", "20"];
  const env = { PATH: process.env["PATH"] ?? "", ...(options.tokenInEnv ? { CARVE_JOIN_TOKEN: token } : {}) };
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

/** Starts `carve-agent run` with nothing but its config file (no CARVE_HOST_ID, no REDIS_URL, no data directory): what a joined host runs. */
export async function startJoinedAgent(stack: Stack, name: string, config: string): Promise<TService> {
  const agent = await startService({
    name: `agent ${name}`,
    entry: "agent/src/main.ts",
    env: { CARVE_AGENT_CONFIG: config, CARVE_CONSOLE_LOG_DIR: join(stack.dir, "console"), CARVE_AGENT_DATA_DIR: "", LOG_LEVEL: "info", REDIS_URL: "", CARVE_QUEUE_PREFIX: "", CARVE_HOST_ID: "" },
    logFile: join(stack.dir, `agent-${name}.log`),
    readyText: "agent ready",
  });
  stack.agents.set(name, agent);
  return agent;
}

/**
 * Deletes the Redis users of the stack's hosts: a joined host gets its own, which outlives the
 * stack's database. Call once the controller (which recreates them) and the agents have stopped.
 */
export async function deleteHostRedisUsers(stack: Stack): Promise<void> {
  const redis = new Redis(stack.redisUrl);
  try {
    for (const { id } of await stack.core.db.host.findMany({ select: { id: true } })) await redis.call("ACL", "DELUSER", hostRedisUser(id));
  } finally {
    redis.disconnect();
  }
}
