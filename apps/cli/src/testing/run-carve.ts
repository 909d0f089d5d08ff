import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const BIN = join(import.meta.dirname, "..", "..", "bin", "carve.js");

/** Runs the real `carve` binary against a database; never throws, returns what a shell sees. */
export async function runCarve(env: { databaseUrl: string; queuePrefix: string }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv = { ...process.env, DATABASE_URL: env.databaseUrl, CARVE_QUEUE_PREFIX: env.queuePrefix };
  return promisify(execFile)(process.execPath, [BIN, ...args], { env: childEnv }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}
