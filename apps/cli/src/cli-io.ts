import { AsyncLocalStorage } from "node:async_hooks";
import type { Readable } from "node:stream";

/** What a `carve` run reads and writes: its environment and its three standard streams. */
export interface TCliIo {
  env: NodeJS.ProcessEnv;
  /** A terminal (`isTTY`, `setRawMode`: password prompts, an attached console) or a pipe. */
  stdin: Readable & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string | Uint8Array): unknown };
}

const running = new AsyncLocalStorage<TCliIo>();

/** The process's own environment and streams: what `carve` uses when run as a command. */
export function processIo(): TCliIo {
  return { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/**
 * The io of the run in progress. Carried by the async context rather than passed to each of the
 * ~140 command actions, so the same command tree runs as a process (tests spawn a few) and in a
 * test's process, several runs at once, each with its own environment and captured output.
 */
export function cliIo(): TCliIo {
  return running.getStore() ?? processIo();
}

/** Runs `work` (one `carve` run) with `io` as its environment and streams. */
export function withIo<T>(io: TCliIo, work: () => T): T {
  return running.run(io, work);
}
