import type { CoreDeps } from "../context.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { aggregateUsage, type TAggregateReport } from "./aggregate-usage.ts";
import { floorTo, HOUR_MS } from "./usage-timeline.ts";

/** Where the controller notes its last metering run, so replicas and restarts keep one pace. */
const METERED_AT_SETTING = "usage.meteredAt";

export interface TMeterOptions {
  /** Completed hours re-aggregated every run, to take in events committed late (default 2). */
  lookbackHours?: number;
  /** How often metering runs at most (ms, default 5 minutes). */
  everyMs?: number;
}

/**
 * The controller's periodic metering: at most every `everyMs`, re-aggregates the last `lookbackHours`
 * completed hours (and any UTC day they complete). Safe to run from any number of controllers:
 * aggregation replaces periods, so a repeated run changes nothing. Returns null when not due.
 */
export async function meterUsage(deps: CoreDeps, options: TMeterOptions = {}): Promise<TAggregateReport | null> {
  const lookbackHours = options.lookbackHours ?? 2;
  const everyMs = options.everyMs ?? 5 * 60_000;
  const now = deps.now();
  const last = await deps.db.setting.findUnique({ where: { key: METERED_AT_SETTING }, select: { value: true } });
  const lastAt = typeof last?.value === "string" ? Date.parse(last.value) : Number.NaN;
  if (now.getTime() - lastAt < everyMs) return null;
  const to = floorTo(now.getTime(), "Hour");
  const report = await aggregateUsage(deps, SYSTEM_ACTOR, { from: new Date(to - lookbackHours * HOUR_MS).toISOString(), to: new Date(to).toISOString() });
  const value = now.toISOString();
  await deps.db.setting.upsert({ where: { key: METERED_AT_SETTING }, create: { key: METERED_AT_SETTING, value }, update: { value } });
  return report;
}
