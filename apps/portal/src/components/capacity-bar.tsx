/** Used against total as a bar (amber past 75 %, red when full), with the figures beside it. */
export function CapacityBar({ label, used, total, unit }: { label: string; used: number; total: number; unit: string }) {
  const percent = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 100;
  const level = percent >= 100 ? "full" : percent >= 75 ? "high" : "";
  return (
    <div className="capacity">
      <div className={`bar ${level}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={used} aria-valuetext={`${used} of ${total} ${unit} (${percent}%)`}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <span className="muted">{used} / {total} {unit} · {percent}%</span>
    </div>
  );
}
