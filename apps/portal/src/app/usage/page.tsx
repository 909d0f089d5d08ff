import { usageHistory } from "@carve/core";
import Link from "next/link";
import { toUsageJson } from "../../api/to-json.ts";
import { UsageChart } from "../../components/usage-chart.tsx";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";

const RANGES = [
  { key: "48h", label: "48 hours", periods: 48, granularity: "hour" },
  { key: "7d", label: "7 days", periods: 7, granularity: "day" },
  { key: "14d", label: "14 days", periods: 14, granularity: "day" },
  { key: "30d", label: "30 days", periods: 30, granularity: "day" },
] as const;
const DEFAULT_RANGE = RANGES[2];

/** The signed-in user's metered usage: VM-hours per day (or hour) as a chart, and the figures as a table. */
export default async function UsagePage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  const actor = await pageActor();
  const { range: asked } = await searchParams;
  const range = RANGES.find((r) => r.key === asked) ?? DEFAULT_RANGE;
  const usage = toUsageJson(await usageHistory(portalCore(), actor, { periods: range.periods, granularity: range.granularity }));
  const unit = range.granularity === "day" ? "Day" : "Hour";
  return (
    <>
      <div className="toolbar">
        <h1>Usage</h1>
        <nav className="actions" aria-label="Range">
          {RANGES.map((r) => (
            <Link key={r.key} href={`/usage?range=${r.key}`} className={r === range ? "button primary" : "button"} aria-current={r === range ? "page" : undefined}>{r.label}</Link>
          ))}
        </nav>
      </div>
      <div className="panel">
        <dl className="facts">
          <dt>Running</dt><dd id="total-running">{usage.totals.runningHours} VM-hours</dd>
          <dt>Allocated, not running</dt><dd id="total-allocated">{usage.totals.allocatedHours} VM-hours</dd>
          <dt>Volumes</dt><dd id="total-volumes">{usage.totals.volumeGiBHours} GiB-hours</dd>
        </dl>
        <UsageChart usage={usage} />
        <p className="muted">Metered by Carve from your VMs&apos; events: an hour shows once it is over, a UTC day once it is over. Also at <code>/api/v1/usage</code>.</p>
        <details>
          <summary>Figures per {range.granularity}</summary>
          <table aria-label={`Usage per ${range.granularity}`}>
            <thead><tr><th scope="col">{unit} (UTC)</th><th scope="col">Running (h)</th><th scope="col">Allocated (h)</th><th scope="col">Volumes (GiB-h)</th></tr></thead>
            <tbody>
              {usage.periods.map((p) => (
                <tr key={p.periodStart}><td>{range.granularity === "day" ? p.periodStart.slice(0, 10) : `${p.periodStart.slice(0, 13).replace("T", " ")}:00`}</td><td>{p.runningHours}</td><td>{p.allocatedHours}</td><td>{p.volumeGiBHours}</td></tr>
              ))}
            </tbody>
          </table>
        </details>
      </div>
    </>
  );
}
