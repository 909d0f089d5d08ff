/** A quota scope as the page shows it: the limits (null: none) and what is in use now. */
export interface TQuotaScope {
  scope: string;
  limits: { vms: number | null; vcpus: number | null; memoryMiB: number | null; storageGiB: number | null };
  use: { vms: number; vcpus: number; memoryMiB: number; storageGiB: number };
}

export type TQuotaAmounts = TQuotaScope["use"];

export const QUOTA_FIELDS = [
  { key: "vms", label: "VMs", unit: "" },
  { key: "vcpus", label: "vCPUs", unit: "" },
  { key: "memoryMiB", label: "memory", unit: " MiB" },
  { key: "storageGiB", label: "storage", unit: " GiB" },
] as const;

/** One limit as a bar: what is in use, and (when creating) what the new VM would add. */
export function QuotaBar({ label, used, adding, limit, unit }: { label: string; used: number; adding: number; limit: number; unit: string }) {
  const pct = (n: number) => (limit > 0 ? Math.min(100, (n / limit) * 100) : 100);
  const after = used + adding;
  const level = after > limit ? "full" : pct(after) >= 75 ? "high" : "";
  const text = `${used} of ${limit}${unit} in use${adding > 0 ? `, ${after} with this VM` : ""}`;
  return (
    <div className="capacity">
      <div className={`bar ${level}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used} aria-valuetext={text} data-after={after}>
        <span style={{ width: `${pct(used)}%` }} />
        {adding > 0 && <span className="adding" style={{ left: `${pct(used)}%`, width: `${Math.max(0, pct(after) - pct(used))}%` }} />}
      </div>
      <span className={after > limit ? "error" : "muted"}>{label}: {text}{after > limit ? " — over the limit" : ""}</span>
    </div>
  );
}

/**
 * The user's quotas as bars (their own and their teams'), with what the VM being created would add
 * drawn on top, so "will this fit my quota?" is answered before submitting. Scopes without limits
 * say so.
 */
export function QuotaBars({ scopes, adding }: { scopes: TQuotaScope[]; adding: TQuotaAmounts }) {
  return (
    <section aria-label="Quota" className="quota">
      <h2>Your quota</h2>
      {scopes.map((scope) => {
        const limited = QUOTA_FIELDS.filter((f) => scope.limits[f.key] !== null);
        return (
          <div key={scope.scope} className="quota-scope">
            <h3>{scope.scope}</h3>
            {limited.length === 0 && (
              <p className="muted">No limits. In use: {scope.use.vms} VMs, {scope.use.vcpus} vCPUs, {scope.use.memoryMiB} MiB, {scope.use.storageGiB} GiB.</p>
            )}
            {limited.map((f) => (
              <QuotaBar key={f.key} label={`${scope.scope} ${f.label}`} used={scope.use[f.key]} adding={adding[f.key]} limit={scope.limits[f.key] ?? 0} unit={f.unit} />
            ))}
          </div>
        );
      })}
    </section>
  );
}
