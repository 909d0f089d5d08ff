import type { UsageGranularity } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { collectUsage, type TWindows } from "./collect-usage.ts";
import { ZUsageRange } from "./usage-range.ts";
import { floorTo, HOUR_MS } from "./usage-timeline.ts";

/** Serialises aggregations across controller replicas and admins (pg_advisory_xact_lock key). */
const USAGE_LOCK_KEY = 72707380;

export interface TAggregateReport {
  from: Date;
  to: Date;
  /** The day records rewritten: every UTC day that overlaps [from, to) and ends by `to`. */
  days: { from: Date; to: Date } | null;
  hourRecords: number;
  dayRecords: number;
}

/**
 * Recomputes the usage records of every hour in [from, to) (whole UTC hours, over by now) and of every
 * UTC day that overlaps the range and is over by `to`, from the event history. Each period's records
 * are replaced in one transaction, so running it again for the same period changes nothing: the
 * numbers depend only on recorded timestamps, never on when it runs. Admins only.
 */
export async function aggregateUsage(deps: CoreDeps, actor: TActor, input: unknown): Promise<TAggregateReport> {
  requireAdmin(actor, "aggregate usage");
  const { from, to } = parseInput(ZUsageRange, input);
  for (const [field, at] of [["from", from], ["to", to]] as const) {
    if (at.getTime() % HOUR_MS !== 0) {
      throw new CarveError("INVALID_INPUT", `Invalid input. ${field}: must be a whole UTC hour (e.g. ${new Date(floorTo(at.getTime(), "Hour")).toISOString()})`, {
        fields: [{ field, message: "must be a whole UTC hour" }],
      });
    }
  }
  const lastHour = floorTo(deps.now().getTime(), "Hour");
  if (to.getTime() > lastHour) {
    throw new CarveError("INVALID_INPUT", `Invalid input. to: the hour before ${to.toISOString()} is not over yet; use at most ${new Date(lastHour).toISOString()}`, {
      fields: [{ field: "to", message: "must not be later than the start of the current hour" }],
    });
  }
  const windows: TWindows = { Hour: { from: from.getTime(), to: to.getTime() } };
  const dayFrom = floorTo(from.getTime(), "Day");
  const dayTo = floorTo(to.getTime(), "Day");
  if (dayTo > dayFrom) windows.Day = { from: dayFrom, to: dayTo };
  const counts = await deps.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${USAGE_LOCK_KEY})`);
    const rows = await collectUsage(tx, windows);
    for (const [granularity, window] of Object.entries(windows) as [UsageGranularity, { from: number; to: number }][]) {
      await tx.usageRecord.deleteMany({ where: { granularity, periodStart: { gte: new Date(window.from), lt: new Date(window.to) } } });
    }
    await tx.usageRecord.createMany({ data: rows });
    return { hourRecords: rows.filter((r) => r.granularity === "Hour").length, dayRecords: rows.filter((r) => r.granularity === "Day").length };
  }, { timeout: 120_000 });
  deps.log.debug({ from, to, ...counts }, "usage aggregated");
  return { from, to, days: windows.Day ? { from: new Date(windows.Day.from), to: new Date(windows.Day.to) } : null, ...counts };
}
