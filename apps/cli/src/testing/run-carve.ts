import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { carveBundle } from "./carve-bundle.ts";

export interface TCarveRun {
  databaseUrl: string;
  queuePrefix: string;
  /** XDG_CONFIG_HOME, where `carve login` keeps its credentials (default: a fresh empty one, so the CLI is local). */
  configHome?: string;
  /** Standard input (e.g. the API key for `carve login`). */
  input?: string;
  /** More settings for this run only (e.g. CARVE_PORTAL_URL). */
  settings?: Record<string, string>;
}

/** What a shell sees of one `carve` run. */
export interface TCarveResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `carve` command against a database, as a process of its own (the CLI built from its
 * sources once per test process: carve-bundle.ts); never throws, returns what a shell sees.
 */
export async function runCarve(env: TCarveRun, ...args: string[]): Promise<TCarveResult> {
  const running = promisify(execFile)(process.execPath, [await carveBundle(), ...args], { env: carveEnv(env) });
  running.child.stdin?.end(env.input ?? "");
  return running.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** The environment of a `carve` run. */
export function carveEnv(env: TCarveRun): NodeJS.ProcessEnv {
  return { ...process.env, ...env.settings, DATABASE_URL: env.databaseUrl, CARVE_QUEUE_PREFIX: env.queuePrefix, XDG_CONFIG_HOME: env.configHome ?? mkdtempSync(join(tmpdir(), "carve-config-")) };
}

/**
 * Starts `carve` for a conversation (an attached console): stdin, stdout and stderr are pipes the
 * test drives. `wrap` runs it under another program, e.g. one that gives it a pseudo-terminal.
 */
export async function spawnCarve(env: TCarveRun, args: string[], wrap: string[] = []): Promise<ChildProcessWithoutNullStreams> {
  const [command = process.execPath, ...rest] = [...wrap, process.execPath, await carveBundle(), ...args];
  return spawn(command, rest, { env: carveEnv(env) });
}
