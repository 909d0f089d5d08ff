import type { TJobProgress } from "@carve/protocol";

/** Progress reports closer together than this are merged: the latest one is sent when the interval is up. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Wraps a job's progress sender so a job reports at most once per interval: the first report goes
 * out at once (the job visibly started), later ones only when the interval since the last has
 * passed, and a report held back is sent when it has (unless the job ended first: its result
 * supersedes it). Long steps stay visible; fast jobs cost one report instead of one per step,
 * each of which is a Redis write, an event and a database update.
 */
export function throttleProgress(send: (progress: TJobProgress) => Promise<unknown>, intervalMs = PROGRESS_INTERVAL_MS) {
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let held: TJobProgress | null = null;
  let timer: NodeJS.Timeout | null = null;
  let ended = false;

  const flush = async () => {
    timer = null;
    if (ended || held === null) return;
    const progress = held;
    held = null;
    lastSentAt = performance.now();
    await send(progress).catch(() => undefined); // progress is advisory; the result is what counts
  };

  return {
    async report(progress: TJobProgress): Promise<void> {
      if (ended) return;
      const wait = lastSentAt + intervalMs - performance.now();
      if (wait <= 0 && timer === null) {
        lastSentAt = performance.now();
        await send(progress);
        return;
      }
      held = progress;
      timer ??= setTimeout(() => void flush(), Math.max(wait, 0));
    },
    /** The job ended: drop what is held back. */
    end(): void {
      ended = true;
      held = null;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
