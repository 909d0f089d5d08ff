/** Percentiles and the fixed-width lines the bench prints. */

/** The p-th percentile (0–100) of the samples, nearest-rank; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export interface TSummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): TSummary {
  const sum = samples.reduce((a, b) => a + b, 0);
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples.length ? Math.max(...samples) : Number.NaN,
    mean: samples.length ? sum / samples.length : Number.NaN,
  };
}

/** Milliseconds with a sensible number of decimals. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function rate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return "–";
  return `${perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1)} ${unit}/s`;
}

export function latencyLine(s: TSummary): string {
  return `p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  (n=${s.n})`;
}

/** "met" / "MISSED" next to a figure; targets are printed, never asserted. */
export function verdict(met: boolean): string {
  return met ? "met" : "MISSED";
}

/** One "label ........ value" line, indented under a section title. */
export function row(label: string, value: string, note = ""): string {
  const padded = label.length >= 46 ? `${label} ` : label.padEnd(46, " ");
  return `  ${padded}${value}${note ? `   ${note}` : ""}`;
}

/**
 * Runs `work` for i = 0…count-1 with at most `concurrency` at once and returns each run's duration
 * in ms, in order of i. With a deadline (performance.now() value), no new run starts after it, so
 * fewer than `count` durations may come back.
 */
export async function timeEach(count: number, concurrency: number, work: (i: number) => Promise<unknown>, deadline = Infinity): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count && performance.now() < deadline; i = next++) {
      const start = performance.now();
      await work(i);
      durations[i] = performance.now() - start;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return durations.filter((d) => d !== undefined);
}
