import { spawn } from "node:child_process";
import { join } from "node:path";
import { openLogFile, REPO_ROOT } from "./service.ts";

/**
 * Joins npm start's demo host with `carve-agent join` (the token in CARVE_JOIN_TOKEN, not argv),
 * as an operator would on a real host; the output goes to the agent's log. Resolves with the
 * environment `carve-agent run` needs: its config file, and every setting it holds blanked so
 * that a variable of npm start's own environment cannot override it.
 */
export async function joinDemoHost(options: { token: string; joinRedisUrl: string; prefix: string; uri: string; dataDir: string; logFile: string }): Promise<Record<string, string>> {
  const config = join(options.dataDir, "agent.json");
  const args = [join(REPO_ROOT, "agent/bin/carve-agent.js"), "join", "--redis", options.joinRedisUrl, "--prefix", options.prefix, "--uri", options.uri, "--config", config, "--data-dir", options.dataDir, "--timeout", "30"];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { PATH: process.env["PATH"] ?? "", CARVE_JOIN_TOKEN: options.token }, stdio: ["ignore", "pipe", "pipe"] });
  const log = openLogFile(options.logFile);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  log.end();
  if (code !== 0) throw new Error(`the demo host could not join (carve-agent join exited ${code}); see ${options.logFile}`);
  return { CARVE_AGENT_CONFIG: config, REDIS_URL: "", CARVE_QUEUE_PREFIX: "", CARVE_HOST_ID: "", CARVE_LIBVIRT_URI: "", CARVE_REDIS_USERNAME: "", CARVE_REDIS_PASSWORD: "" };
}
