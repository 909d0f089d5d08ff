import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireUser, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { MAX_USAGE_RANGE_DAYS } from "./usage-range.ts";
import { DAY_MS, floorTo, HOUR_MS } from "./usage-timeline.ts";

export const ZUsageHistoryInput = z.object({
  /** How many periods back from the current one (included). */
  periods: z.coerce.number().int().min(1, "must be at least 1").max(MAX_USAGE_RANGE_DAYS, `must be at most ${MAX_USAGE_RANGE_DAYS}`).default(14),
  granularity: z.enum(["hour", "day"], { error: "must be hour or day" }).default("day"),
});

/** One period of the acting user's usage. */
export interface TUsagePeriod {
  periodStart: Date;
  /** VM-hours with the guest running. */
  runningHours: number;
  /** VM-hours allocated on a host but not running (creating, stopped…). */
  allocatedHours: number;
  /** Volume GiB-hours (local and shared pools). */
  volumeGiBHours: number;
}

export interface TUsageHistory {
  granularity: "hour" | "day";
  from: Date;
  to: Date;
  /** Every period of the range, oldest first, zeros included (a chart needs the gaps). */
  periods: TUsagePeriod[];
  totals: Omit<TUsagePeriod, "periodStart">;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * The acting user's own metered usage, period by period, for the last `periods` hours or days (the
 * current one included, so far as metered): what a usage chart shows. Reads the usage records the
 * controller meters; admins see their own here too (everyone's is usageReport).
 */
export async function usageHistory(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TUsageHistory> {
  const me = requireUser(actor);
  const { periods, granularity } = parseInput(ZUsageHistoryInput, input);
  const step = granularity === "hour" ? HOUR_MS : DAY_MS;
  const to = floorTo(deps.now().getTime(), granularity === "hour" ? "Hour" : "Day") + step;
  const from = to - periods * step;
  const sums = await deps.db.$queryRaw<{ period: Date; kind: string; ms: string; units: string }[]>`
    SELECT "periodStart" AS period, kind::text AS kind, SUM("durationMs")::text AS ms, SUM(size::numeric * "durationMs")::text AS units
    FROM "UsageRecord"
    WHERE granularity = ${granularity === "hour" ? "Hour" : "Day"}::"UsageGranularity" AND "ownerId" = ${me.userId}::uuid
      AND "periodStart" >= ${new Date(from)} AND "periodStart" < ${new Date(to)}
    GROUP BY 1, 2`;
  const byPeriod = new Map<number, TUsagePeriod>();
  for (let at = from; at < to; at += step) byPeriod.set(at, { periodStart: new Date(at), runningHours: 0, allocatedHours: 0, volumeGiBHours: 0 });
  for (const sum of sums) {
    const period = byPeriod.get(sum.period.getTime());
    if (!period) continue;
    if (sum.kind === "VmRunning") period.runningHours += Number(sum.ms) / HOUR_MS;
    else if (sum.kind === "VmAllocated") period.allocatedHours += Number(sum.ms) / HOUR_MS;
    else if (sum.kind === "Volume") period.volumeGiBHours += Number(sum.units) / HOUR_MS;
  }
  const list = [...byPeriod.values()].map((p) => ({ ...p, runningHours: round(p.runningHours), allocatedHours: round(p.allocatedHours), volumeGiBHours: round(p.volumeGiBHours) }));
  const total = (key: "runningHours" | "allocatedHours" | "volumeGiBHours") => round(list.reduce((sum, p) => sum + p[key], 0));
  return {
    granularity,
    from: new Date(from),
    to: new Date(to),
    periods: list,
    totals: { runningHours: total("runningHours"), allocatedHours: total("allocatedHours"), volumeGiBHours: total("volumeGiBHours") },
  };
}
