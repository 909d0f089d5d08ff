"use client";

import { useEffect, useState } from "react";

/** Fetches JSON from the portal's API; null when the answer is not OK (the next poll tries again). */
export async function getJson<T>(url: string): Promise<T | null> {
  const response = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } }).catch(() => null);
  return response?.ok ? ((await response.json()) as T) : null;
}

/**
 * Calls `poll` every `everyMs` (the first time after `firstAfterMs`), one call at a time: the next
 * is timed from when the last one settled, so a slow answer never lands after a newer one. Returns
 * the function that stops it.
 */
export function startPolling(everyMs: number, poll: () => Promise<void>, firstAfterMs = everyMs): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const after = (ms: number) => {
    // A poll that throws (an answer that is not JSON) changes nothing on screen; the next one tries again.
    if (!stopped) timer = setTimeout(() => void poll().catch(() => undefined).then(() => after(everyMs)), ms);
  };
  after(firstAfterMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
/**
 * Keeps `initial` (rendered on the server) fresh by fetching `url` every `everyMs` while the page
 * is open, so states change on screen without a reload. A failed poll keeps the last good data.
 */
export function usePolling<T>(url: string, initial: T, everyMs = 2000): [T, () => void] {
  const [data, setData] = useState(initial);
  const [tick, setTick] = useState(0);
  useEffect(() => setData(initial), [initial]);
  useEffect(() => {
    let live = true;
    // A refresh asked for (tick) polls at once; the chain then goes on every everyMs.
    const stop = startPolling(
      everyMs,
      async () => {
        const next = await getJson<T>(url);
        if (live && next) setData(next);
      },
      tick > 0 ? 0 : everyMs,
    );
    return () => {
      live = false;
      stop();
    };
  }, [url, everyMs, tick]);
  return [data, () => setTick((t) => t + 1)];
}
