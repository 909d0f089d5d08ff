import type { TUsageJson } from "../api/schemas.ts";

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };

/** A round number at or above `max` for the chart's top line (1, 2, 5 × 10ⁿ). */
function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].find((m) => m * power >= max) ?? 10) * power;
}

function label(periodStart: string, granularity: TUsageJson["granularity"]): string {
  return granularity === "day" ? periodStart.slice(5, 10) : `${periodStart.slice(11, 13)}h`;
}

/**
 * VM-hours per period as stacked SVG bars (running below, allocated but not running above), with a
 * title per bar for the exact figures. Plain SVG: no chart library, nothing inline to run.
 */
export function UsageChart({ usage }: { usage: TUsageJson }) {
  const periods = usage.periods;
  const top = niceCeiling(Math.max(0, ...periods.map((p) => p.runningHours + p.allocatedHours)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, periods.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (hours: number) => (hours / top) * plotH;
  const every = Math.ceil(periods.length / 14);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`VM-hours per ${usage.granularity}: ${usage.totals.runningHours} running, ${usage.totals.allocatedHours} allocated`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line className="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + plotH - f * plotH} y2={PAD.top + plotH - f * plotH} />
            <text className="axis" x={PAD.left - 6} y={PAD.top + plotH - f * plotH + 4} textAnchor="end">{Number((top * f).toFixed(2))}</text>
          </g>
        ))}
        {periods.map((p, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const running = y(p.runningHours);
          const allocated = y(p.allocatedHours);
          const base = PAD.top + plotH;
          return (
            <g key={p.periodStart} data-period={p.periodStart}>
              <title>{`${label(p.periodStart, usage.granularity)}: ${p.runningHours} h running, ${p.allocatedHours} h allocated, ${p.volumeGiBHours} GiB-h of volumes`}</title>
              <rect className="running" x={x} width={barW} y={base - running} height={running} />
              <rect className="allocated" x={x} width={barW} y={base - running - allocated} height={allocated} />
              {i % every === 0 && <text className="axis" x={x + barW / 2} y={HEIGHT - 8} textAnchor="middle">{label(p.periodStart, usage.granularity)}</text>}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span className="swatch running" /> running <span className="swatch allocated" /> allocated, not running (VM-hours)
      </figcaption>
    </figure>
  );
}
