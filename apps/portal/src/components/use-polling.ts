"use client";

import { useEffect, useState } from "react";

/**
 * Calls `poll` every `everyMs`, one call at a time: the next is timed from when the last one
 * settled, so a slow answer never lands after a newer one. Returns the function that stops it.
 */
export function startPolling(everyMs: number, poll: () => Promise<void>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const next = () => {
    // A poll that throws (an answer that is not JSON) changes nothing on screen; the next one tries again.
    if (!stopped) timer = setTimeout(() => void poll().catch(() => undefined).then(next), everyMs);
  };
  next();
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
    const poll = async () => {
      const response = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } }).catch(() => null);
      if (live && response?.ok) setData((await response.json()) as T);
    };
    if (tick > 0) void poll();
    const stop = startPolling(everyMs, poll);
    return () => {
      live = false;
      stop();
    };
  }, [url, everyMs, tick]);
  return [data, () => setTick((t) => t + 1)];
}
