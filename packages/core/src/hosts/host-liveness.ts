import { HEARTBEAT_INTERVAL_MS } from "@carve/protocol";

/** How long a host may stay silent before it is Disconnected and its VMs Unknown. */
export const DEFAULT_HOST_GRACE_MS = 30_000;
/** A shorter grace would flap between beats: the agent beats every HEARTBEAT_INTERVAL_MS. */
export const MIN_HOST_GRACE_MS = 2 * HEARTBEAT_INTERVAL_MS;
/** How often each Up host's inventory is compared with the database. */
export const DEFAULT_RECONCILE_MS = 30_000;
/**
 * A job in flight this long on a host that still heartbeats is abandoned. Longer than the longest
 * legitimate job: a graceful stop may wait up to an hour for the guest.
 */
export const DEFAULT_JOB_STUCK_MS = 2 * 3600_000;

export interface THostLiveness {
  /** Silence after which a host is Disconnected (ms). */
  graceMs: number;
}

/** Milliseconds since `at`, never negative (an agent clock slightly ahead counts as fresh). */
export function ageMs(now: Date, at: Date | string | null | undefined): number {
  if (!at) return Number.POSITIVE_INFINITY;
  const time = typeof at === "string" ? Date.parse(at) : at.getTime();
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : Math.max(0, now.getTime() - time);
}

/** "12 s", "4 min", "3 h": silences and ages in messages people read. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "ever";
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3600_000)} h`;
}
