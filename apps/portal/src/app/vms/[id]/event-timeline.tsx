"use client";

import { useState, useTransition } from "react";
import type { TVmEventJson, TVmEventPageJson } from "../../../api/schemas.ts";
import { usePolling } from "../../../components/use-polling.ts";

const PAGE = 10;

const when = (at: string) => `${at.replace("T", " ").slice(0, 19)} UTC`;

/**
 * The VM's event timeline, newest first: the newest page refreshes every few seconds, older pages
 * load on demand ("Older events").
 */
export function EventTimeline({ vmId, initial }: { vmId: string; initial: TVmEventPageJson }) {
  const base = `/api/v1/vms/${vmId}/events?limit=${PAGE}`;
  const [head] = usePolling(base, initial, 3000);
  const [older, setOlder] = useState<TVmEventJson[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const next = cursor === undefined ? head.nextCursor : cursor;
  const seen = new Set(head.items.map((e) => e.id));
  const events = [...head.items, ...older.filter((e) => !seen.has(e.id))];

  const loadOlder = () =>
    startTransition(async () => {
      if (!next) return;
      const response = await fetch(`${base}&cursor=${encodeURIComponent(next)}`, { headers: { accept: "application/json" } }).catch(() => null);
      if (!response?.ok) {
        setError("Older events could not be loaded; try again.");
        return;
      }
      const page = (await response.json()) as TVmEventPageJson;
      setError(null);
      setOlder((loaded) => [...loaded, ...page.items]);
      setCursor(page.nextCursor);
    });

  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {events.length === 0 && <p className="muted">No events yet.</p>}
      <ol className="timeline" aria-label="Events">
        {events.map((e) => (
          <li key={e.id} data-event-type={e.type} data-to-state={e.toState ?? undefined}>
            <time dateTime={e.at} className="muted">{when(e.at)}</time>
            <span>{e.message}</span>
            {e.fromState && e.toState && <span className="muted"> ({e.fromState} → {e.toState})</span>}
            <span className="muted"> · {e.actor ?? "system"}</span>
          </li>
        ))}
      </ol>
      {next && <button type="button" disabled={pending} onClick={loadOlder}>{pending ? "Loading…" : "Older events"}</button>}
      {error && <p className="alert" role="alert">{error}</p>}
    </section>
  );
}
