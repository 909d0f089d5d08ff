import type { UsageGranularity, UsageKind, VmState } from "@carve/db";
import { holdsCapacity } from "../vms/vm-state-machine.ts";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** A stretch of time in epoch milliseconds, `end` exclusive (Infinity: still open), of one kind of usage. */
export interface TInterval {
  start: number;
  end: number;
  /** Groups intervals into one record per period (e.g. "VmRunning|<offering id>"). */
  key: string;
}

export interface TBucket {
  periodStart: number;
  key: string;
  durationMs: number;
}

/** Periods are UTC-aligned: hours and days are whole multiples since the epoch (no leap seconds in epoch time). */
export function periodMs(granularity: UsageGranularity): number {
  return granularity === "Hour" ? HOUR_MS : DAY_MS;
}

export function floorTo(ms: number, granularity: UsageGranularity): number {
  return Math.floor(ms / periodMs(granularity)) * periodMs(granularity);
}

/**
 * Cuts intervals into the periods of `granularity` that start in [from, to) (`from` and `to` aligned):
 * the milliseconds each key spends in each period, summed over its intervals. Open intervals are cut
 * at the period end; periods a key does not touch yield nothing.
 */
export function splitIntoBuckets(intervals: readonly TInterval[], from: number, to: number, granularity: UsageGranularity): TBucket[] {
  const step = periodMs(granularity);
  const sums = new Map<string, TBucket>();
  for (const interval of intervals) {
    const start = Math.max(interval.start, from);
    const end = Math.min(interval.end, to);
    for (let period = floorTo(start, granularity); period < end; period += step) {
      const inside = Math.min(end, period + step) - Math.max(start, period);
      if (inside <= 0) continue;
      const id = `${period}|${interval.key}`;
      const bucket = sums.get(id);
      if (bucket) bucket.durationMs += inside;
      else sums.set(id, { periodStart: period, key: interval.key, durationMs: inside });
    }
  }
  return [...sums.values()].sort((a, b) => a.periodStart - b.periodStart || a.key.localeCompare(b.key));
}

/** States in which the guest is on (a reboot or a live migration does not switch it off). */
const RUNNING_STATES: ReadonlySet<VmState> = new Set<VmState>(["Running", "Rebooting", "Migrating"]);

/**
 * What a VM in `state` is metered as: running, allocated-but-not-running (it holds its host's vCPUs
 * and memory: Creating, Starting, Stopping, Stopped, Unknown), or nothing (Destroying, Destroyed, Error).
 */
export function usageKindOfState(state: VmState): Extract<UsageKind, "VmRunning" | "VmAllocated"> | null {
  if (RUNNING_STATES.has(state)) return "VmRunning";
  return holdsCapacity(state) ? "VmAllocated" : null;
}

/** One change in a VM's history, in the order the events were recorded. */
export type TVmChange = { at: number; toState: VmState } | { at: number; toOfferingId: string };

/**
 * A VM's metered intervals from its ordered state and offering changes: each interval is
 * "<kind>|<offering id>". Nothing is metered before the first state change; the last interval stays open.
 */
export function vmIntervals(initialOfferingId: string, changes: readonly TVmChange[]): TInterval[] {
  const intervals: TInterval[] = [];
  let state: VmState | null = null;
  let offeringId = initialOfferingId;
  let since = 0;
  const close = (at: number) => {
    const kind = state ? usageKindOfState(state) : null;
    const key = `${kind}|${offeringId}`;
    const last = intervals.at(-1);
    // Stopping → Stopped is one stretch of allocated time, not two.
    if (kind && last?.key === key && last.end === since) last.end = at;
    else if (kind && at > since) intervals.push({ start: since, end: at, key });
    since = at;
  };
  for (const change of changes) {
    close(change.at);
    if ("toState" in change) state = change.toState;
    else offeringId = change.toOfferingId;
  }
  close(Number.POSITIVE_INFINITY);
  return intervals;
}
