import { Readable } from "node:stream";
import { runCli } from "../program.ts";
import { carveEnv, type TCarveResult, type TCarveRun } from "./run-carve.ts";

/**
 * Runs `carve` in this test's process (program.ts's command tree with captured streams): what
 * `runCarve` returns, without starting Node and loading the CLI each time (~4 s a run on two busy
 * cores). For everything but how the process itself starts, reads and exits, which the spawned
 * smoke tests (carve-process.integration.test.ts) keep covering.
 */
export async function carveInProcess(env: TCarveRun, ...args: string[]): Promise<TCarveResult> {
  const printed = { stdout: "", stderr: "" };
  const into = (stream: keyof typeof printed) => ({
    write(chunk: string | Uint8Array) {
      printed[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    },
  });
  const stdin = Readable.from([Buffer.from(env.input ?? "")]);
  const code = await runCli(args, { env: carveEnv(env), stdin, stdout: into("stdout"), stderr: into("stderr") });
  return { code, ...printed };
}
