import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname, join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");

export interface TServiceSpec {
  name: string;
  /** An executable to run instead of Node.js (e.g. redis-server), with `args`. */
  command?: string;
  /** A TypeScript entry point, relative to the repository root, run with tsx. */
  entry: string;
  /** Instead of running `entry` with tsx: these Node.js arguments (a JavaScript CLI and its options, e.g. `next start`). */
  args?: string[];
  env: Record<string, string>;
  /** Where stdout and stderr go (appended). */
  logFile: string;
  /** A log line containing this text means the service is ready. */
  readyText: string;
}

export interface TService {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the process exits, with its exit code (or null when killed by a signal). */
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * A log file of a process Carve starts, appended to, readable by its owner only (0600, also when
 * it was left more open by an older run): logs are scrubbed of secrets, but they still tell who
 * did what.
 */
export function openLogFile(path: string): WriteStream {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const stream = createWriteStream(path, { flags: "a", mode: 0o600 });
  stream.once("open", () => chmodSync(path, 0o600));
  return stream;
}

/**
 * Starts one Carve process (controller, agent…) as a child, logging to a file, and resolves once it
 * prints its ready line. Spawned with an argument array: nothing passes through a shell.
 */
export async function startService(spec: TServiceSpec, timeoutMs = 60_000): Promise<TService> {
  const log = openLogFile(spec.logFile);
  // `npm run bench -- --cpu-profile DIR` profiles every process it starts (written when each exits).
  const profileDir = process.env["CARVE_CPU_PROFILE_DIR"];
  const profile = profileDir ? ["--cpu-prof", "--cpu-prof-dir", join(profileDir, spec.name.replace(/[^\w.-]+/g, "_"))] : [];
  const child = spawn(spec.command ?? process.execPath, [...(spec.command ? [] : profile), ...(spec.args ?? ["--import", "tsx", join(REPO_ROOT, spec.entry)])], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${spec.name} did not get ready within ${timeoutMs} ms; see ${spec.logFile}`)), timeoutMs);
    let seen = "";
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (seen !== "done") {
        seen = (seen + chunk.toString()).slice(-4096);
        if (seen.includes(spec.readyText)) {
          seen = "done";
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited with code ${code} before it was ready; see ${spec.logFile}`));
    });
  });
  await ready;
  return {
    name: spec.name,
    child,
    exited,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
