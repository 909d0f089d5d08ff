/**
 * Everything the bench starts registers how to undo it here; it is undone in reverse order at the
 * end, on failure, and on Ctrl-C, so no process, database, Redis key or directory is left behind.
 */
type TUndo = { what: string; undo: () => Promise<unknown> };

const stack: TUndo[] = [];
/** Undone only at the very end (or on a signal), after everything else. */
const finalStack: TUndo[] = [];
let running: Promise<void> | null = null;

/** Registers an undo step for the end of the whole run (e.g. the run's directory). */
export function onFinalCleanup(what: string, undo: () => Promise<unknown>): void {
  finalStack.push({ what, undo });
}

/** Registers an undo step, run at the next cleanupAll(). */
export function onCleanup(what: string, undo: () => Promise<unknown>): void {
  stack.push({ what, undo });
}

/**
 * Runs every registered undo step, newest first; a failing step is reported and the rest still run.
 * Between parts of the run `final` is false; at the end (and on a signal) the final steps run too.
 */
export function cleanupAll(final = false): Promise<void> {
  // A final clean-up asked for while a partial one runs (Ctrl-C between parts) waits for it, then runs.
  if (running && final) return running.then(() => cleanupAll(true));
  running ??= (async () => {
    for (;;) {
      const entry = stack.pop() ?? (final ? finalStack.pop() : undefined);
      if (!entry) break;
      try {
        await entry.undo();
      } catch (error) {
        console.error(`cleanup: could not ${entry.what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })().finally(() => {
    running = null;
  });
  return running;
}

let signalled = false;

/** True once Ctrl-C or a kill arrived: what fails afterwards is the clean-up at work, not news. */
export function interrupted(): boolean {
  return signalled;
}

/** Ctrl-C or a kill still cleans up (a second signal exits at once). */
export function cleanupOnSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (signalled) process.exit(130);
      signalled = true;
      console.error(`\n${signal}: cleaning up…`);
      void cleanupAll(true).finally(() => process.exit(130));
    });
  }
}
