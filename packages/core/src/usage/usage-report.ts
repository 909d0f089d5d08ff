import { Prisma } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { csvLine } from "./csv.ts";
import { USAGE_RANGE_FIELDS, withRangeChecks } from "./usage-range.ts";
import { HOUR_MS } from "./usage-timeline.ts";

export const ZUsageReportInput = withRangeChecks(
  z.strictObject({
    ...USAGE_RANGE_FIELDS,
    by: z.enum(["user", "team", "offering"], { error: "must be user, team or offering" }),
    granularity: z.enum(["hour", "day"], { error: "must be hour or day" }).default("hour"),
    format: z.enum(["json", "csv"], { error: "must be json or csv" }).default("json"),
  }),
);

/** One line of a report: the usage of one user, team or offering over the range. */
export interface TUsageReportRow {
  /** The user, team (group) or offering id; null for usage without one (see `name`). */
  id: string | null;
  name: string;
  runningSeconds: number;
  allocatedSeconds: number;
  localVolumeGiBHours: number;
  sharedVolumeGiBHours: number;
  templateGiBHours: number;
}

export interface TUsageReport {
  from: Date;
  to: Date;
  by: "user" | "team" | "offering";
  granularity: "hour" | "day";
  rows: TUsageReportRow[];
  /** The same rows as CSV (header first), when asked for. */
  csv?: string;
}

const GROUP_COLUMN = { user: "ownerId", team: "teamId", offering: "offeringId" } as const;
const NONE_NAME = { user: "(templates: no owner)", team: "(no team)", offering: "(no offering: volumes, templates)" } as const;
const GIB = 1024 ** 3;

/**
 * Usage per user, team or offering over [from, to): a record counts when its period STARTS at or after
 * `from` and before `to` (hour records by default; day records with granularity "day"), so a range
 * that is not aligned to the granularity takes whole periods only. A VM's team is its `teamId`
 * (volumes follow their VM); usage without one is the "(no team)" row. Admins only: it is everyone's
 * usage (each user sees their own with usageHistory).
 */
export async function usageReport(deps: CoreDeps, actor: TActor, input: unknown): Promise<TUsageReport> {
  requireAdmin(actor, "report everyone's usage (your own is on the portal's usage page)");
  const { from, to, by, granularity, format } = parseInput(ZUsageReportInput, input);
  const column = Prisma.raw(`"${GROUP_COLUMN[by]}"`);
  const sums = await deps.db.$queryRaw<{ key: string | null; kind: string; scope: string | null; ms: string; units: string }[]>`
    SELECT ${column}::text AS key, kind::text AS kind, "poolScope"::text AS scope,
           SUM("durationMs")::text AS ms, SUM(size::numeric * "durationMs")::text AS units
    FROM "UsageRecord"
    WHERE granularity = ${granularity === "hour" ? "Hour" : "Day"}::"UsageGranularity" AND "periodStart" >= ${from} AND "periodStart" < ${to}
    GROUP BY 1, 2, 3`;
  const names = await namesOf(deps, by, [...new Set(sums.flatMap((s) => (s.key ? [s.key] : [])))]);
  const rows = new Map<string | null, TUsageReportRow>();
  for (const sum of sums) {
    const row = rows.get(sum.key) ?? {
      id: sum.key,
      name: sum.key ? (names.get(sum.key) ?? sum.key) : NONE_NAME[by],
      runningSeconds: 0,
      allocatedSeconds: 0,
      localVolumeGiBHours: 0,
      sharedVolumeGiBHours: 0,
      templateGiBHours: 0,
    };
    rows.set(sum.key, row);
    const ms = Number(sum.ms);
    const units = Number(sum.units);
    if (sum.kind === "VmRunning") row.runningSeconds += ms / 1000;
    else if (sum.kind === "VmAllocated") row.allocatedSeconds += ms / 1000;
    else if (sum.kind === "Volume" && sum.scope === "Shared") row.sharedVolumeGiBHours += round(units / HOUR_MS);
    else if (sum.kind === "Volume") row.localVolumeGiBHours += round(units / HOUR_MS);
    else if (sum.kind === "Template") row.templateGiBHours += round(units / GIB / HOUR_MS);
  }
  const sorted = [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
  const report: TUsageReport = { from, to, by, granularity, rows: sorted };
  return format === "csv" ? { ...report, csv: toCsv(by, sorted) } : report;
}

/** GiB-hours to the millionth: finer than any bill, and free of floating-point noise in exports. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

async function namesOf(deps: CoreDeps, by: TUsageReport["by"], ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const where = { where: { id: { in: ids } } };
  const named =
    by === "user"
      ? (await deps.db.user.findMany({ ...where, select: { id: true, username: true } })).map((u) => [u.id, u.username] as const)
      : by === "team"
        ? (await deps.db.group.findMany({ ...where, select: { id: true, name: true } })).map((g) => [g.id, g.name] as const)
        : (await deps.db.serviceOffering.findMany({ ...where, select: { id: true, name: true } })).map((o) => [o.id, o.name] as const);
  return new Map(named);
}

function toCsv(by: TUsageReport["by"], rows: TUsageReportRow[]): string {
  const header = [by, "id", "running_seconds", "allocated_seconds", "local_volume_gib_hours", "shared_volume_gib_hours", "template_gib_hours"];
  const lines = rows.map((r) => csvLine([r.name, r.id, r.runningSeconds, r.allocatedSeconds, r.localVolumeGiBHours, r.sharedVolumeGiBHours, r.templateGiBHours]));
  return [csvLine(header), ...lines].join("\r\n") + "\r\n";
}
