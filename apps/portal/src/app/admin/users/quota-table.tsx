import type { TQuotaRow } from "@carve/core";
import { QUOTA_FIELDS, QuotaBar } from "../../../components/quota-bars.tsx";

/** Every quota that is set (users', then groups'), each limit a bar of its owners' use; "no limit" where none is set. */
export function QuotaTable({ quotas }: { quotas: TQuotaRow[] }) {
  return (
    <table aria-label="Quotas" className="quota-table">
      <thead>
        <tr><th scope="col">For</th>{QUOTA_FIELDS.map((f) => <th key={f.key} scope="col">{f.label[0]?.toUpperCase()}{f.label.slice(1)}</th>)}</tr>
      </thead>
      <tbody>
        {quotas.length === 0 && <tr><td colSpan={QUOTA_FIELDS.length + 1} className="muted">No quotas are set: everyone may use what the hosts can give. Set one below.</td></tr>}
        {quotas.map((q) => (
          <tr key={q.scope} data-quota={q.scope}>
            <td>{q.name} <span className="muted small">{q.kind === "group" ? "group" : "user"}</span></td>
            {QUOTA_FIELDS.map((f) => {
              const limit = q.limits[f.key];
              return (
                <td key={f.key}>
                  {limit === null ? <span className="muted small">no limit ({q.use[f.key]}{f.unit} in use)</span> : <QuotaBar label={`${q.scope} ${f.label}`} used={q.use[f.key]} adding={0} limit={limit} unit={f.unit} />}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
