import type { TJobProgress } from "@carve/protocol";

/** Progress reports closer together than this are merged: the latest one is sent when the interval is up. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Wraps a job's progress sender so a job reports at most once per interval, counted from the job's
 * start: a report comes out when the interval since the start (or the last report) has passed, the
 * latest one held back until then (unless the job ended first: its result supersedes it). Long
 * steps stay visible within a quarter of a second; a job that ends sooner (most creates on a fast
 * host) sends no progress at all, since each report is a Redis write, an event and a database
 * update, and its result says the rest.
 */
export function throttleProgress(send: (progress: TJobProgress) => Promise<unknown>, intervalMs = PROGRESS_INTERVAL_MS) {
  let lastSentAt = performance.now();
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
