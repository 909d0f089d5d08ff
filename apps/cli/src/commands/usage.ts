import type { Command } from "commander";
import { cliIo } from "../cli-io.ts";
import { iso, table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";

/** `carve usage report|aggregate`: metered usage per user, team or offering, and re-running the metering. */
export function registerUsageCommands(program: Command, out: () => TOutput): void {
  const usage = program.command("usage").description("metered usage: reports and (re-)aggregation");
  usage.command("report").description("usage per user, team or offering for records whose period starts in [from, to)")
    .requiredOption("--from <iso>", "start of the range, inclusive (e.g. 2026-11-01T00:00:00Z)")
    .requiredOption("--to <iso>", "end of the range, exclusive")
    .requiredOption("--by <what>", "user, team or offering")
    .option("--granularity <g>", "hour or day records", "hour")
    .option("--csv", "print CSV (header first) instead of a table")
    .action(async (o: { from: string; to: string; by: string; granularity: string; csv?: boolean }) =>
      withClient(async (client) => {
        const report = await client.usageReport({ from: o.from, to: o.to, by: o.by, granularity: o.granularity, format: o.csv ? "csv" : "json" });
        if (report.csv !== undefined) {
          cliIo().stdout.write(report.csv);
          return;
        }
        out().result(report, () => [
          ...table(
            [report.by.toUpperCase(), "RUNNING S", "ALLOCATED S", "LOCAL GiB·h", "SHARED GiB·h", "TEMPLATE GiB·h"],
            report.rows.map((r) => [r.name, r.runningSeconds, r.allocatedSeconds, r.localVolumeGiBHours, r.sharedVolumeGiBHours, r.templateGiBHours]),
          ),
          `${report.granularity} records starting in [${iso(report.from)}, ${iso(report.to)})`,
        ]);
      }),
    );
  usage.command("aggregate").description("recompute the usage records of [from, to) (whole UTC hours) from the event history; safe to repeat")
    .requiredOption("--from <iso>", "first hour, inclusive")
    .requiredOption("--to <iso>", "end, exclusive (at most the start of the current hour)")
    .action(async (o: { from: string; to: string }) =>
      withClient(async (client) => {
        const done = await client.aggregateUsage({ from: o.from, to: o.to });
        const days = done.days ? `, ${done.dayRecords} day records for [${iso(done.days.from)}, ${iso(done.days.to)})` : "";
        out().result(done, () => [`${done.hourRecords} hour records for [${iso(done.from)}, ${iso(done.to)})${days}`]);
      }),
    );
}
