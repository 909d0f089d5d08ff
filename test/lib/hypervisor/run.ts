import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** The failure of a child process, with the command line and what it printed on stderr. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number | string | null,
    readonly stderr: string,
  ) {
    super(`${[command, ...args].join(' ')} failed (exit ${String(exitCode)}): ${stderr.trim() || '(no stderr)'}`);
    this.name = 'CommandError';
  }
}

/**
 * Runs a program with an argument array (never through a shell) and resolves with its output,
 * or rejects with a CommandError carrying its stderr.
 */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        timeout: Math.ceil(opts.timeoutMs ?? 60_000),
        maxBuffer: 64 * 1024 * 1024,
        cwd: opts.cwd,
        env: opts.env,
        uid: opts.uid,
        gid: opts.gid,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = error.killed ? `killed by ${String(error.signal)} (timeout?)` : (error.code ?? null);
          reject(new CommandError(command, args, typeof code === 'number' || typeof code === 'string' ? code : null, stderr || error.message));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/** The absolute path of `command` on PATH (sbin directories included), or null. */
export async function findCommand(command: string): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of command.includes('/') ? [''] : dirs.filter(Boolean)) {
    const candidate = dir ? join(dir, command) : command;
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
