import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../program.ts";
import type { TCarveRun } from "./run-carve.ts";

/** What a run needs: runCarve's settings and more of the CLI's variables (REDIS_URL, CARVE_SECRET_KEY…). */
export type TInProcessRun = Omit<TCarveRun, "input"> & { env?: Record<string, string> };

/** Runs do not overlap: each one owns process.stdout, process.stderr and the CLI's variables while it runs. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `carve` inside the test process (what runCarve does with a process of its own, without the
 * ~0.8 s start of one): for suites that run dozens of commands. Captures what the command writes
 * to stdout and stderr; never throws. Standard input is not supported (use runCarve).
 */
export function carveInProcess(env: TInProcessRun, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = queue.then(() => runCaptured(env, args));
  queue = run.catch(() => undefined);
  return run;
}

async function runCaptured(env: TInProcessRun, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const settings = { DATABASE_URL: env.databaseUrl, CARVE_QUEUE_PREFIX: env.queuePrefix, XDG_CONFIG_HOME: env.configHome ?? mkdtempSync(join(tmpdir(), "carve-config-")), ...env.env };
  const saved = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  const written = { stdout: "", stderr: "" };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (stream: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array) => {
      written[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    }) as typeof process.stdout.write;
  Object.assign(process.env, settings);
  process.stdout.write = capture("stdout");
  process.stderr.write = capture("stderr");
  try {
    const code = await runCli([process.execPath, "carve", ...args]).catch((error: unknown) => {
      written.stderr += `${String((error as Error)?.stack ?? error)}\n`;
      return 1;
    });
    return { code, ...written };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
