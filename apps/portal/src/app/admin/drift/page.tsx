import { listDrift } from "@carve/core";
import { AutoRefresh } from "../../../components/auto-refresh.tsx";
import { ConfirmAction } from "../../../components/confirm-action.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { when } from "../format.ts";
import { destroyDriftAction, ignoreDriftAction } from "./actions.ts";

/** Domains the hypervisors have and Carve does not manage, as reconciliation found them. */
// networks (issue 17): drift of network entries and filters
const KIND_LABEL = { DhcpHost: "DHCP host entry", DnsHost: "DNS record", Filter: "network filter", Volume: "file in a pool" } as const;

export default async function AdminDriftPage({ searchParams }: { searchParams: Promise<{ all?: string }> }) {
  const actor = await adminActor();
  const all = (await searchParams).all === "1";
  const items = await listDrift(portalCore(), actor, { all });
  return (
    <>
      <h1>Drift</h1>
      <AutoRefresh active={items.some((d) => d.state === "Destroying")} />
      <div className="toolbar">
        <p className="muted">Domains found on hosts that Carve does not manage. Carve destroys only domains it named itself; remove others on the host, or ignore them.</p>
        <a href={all ? "/admin/drift" : "/admin/drift?all=1"}>{all ? "Only what needs an admin" : "Show ignored and resolved too"}</a>
      </div>
      <table aria-label="Drift">
        <thead>
          <tr><th scope="col">Domain</th><th scope="col">Host</th><th scope="col">Reported</th><th scope="col">Note</th><th scope="col">Seen</th><th scope="col">State</th><th scope="col"><span className="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {items.length === 0 && <tr><td colSpan={7} className="muted">No drift: the hosts match Carve's records.</td></tr>}
          {items.map((d) => (
            <tr key={d.id} data-drift={d.domainName}>
              <td><code>{d.domainName}</code>{d.kind !== "Domain" && <span className="muted small"> {KIND_LABEL[d.kind]}</span>}</td>
              <td>{d.host.name}</td>
              <td>{d.reportedState}</td>
              <td className="small">{d.note}</td>
              <td className="small">{when(d.firstSeenAt)} – {when(d.lastSeenAt)}</td>
              <td><StateBadge state={d.state} /></td>
              <td>
                {(d.state === "Open" || d.state === "Ignored") && (
                  <div className="actions">
                    {(d.vmId || d.kind !== "Domain") && <ConfirmAction action={destroyDriftAction.bind(null, d.id)} label="Destroy" accessibleName={`Destroy ${d.domainName} on ${d.host.name}`} confirm={`Destroy ${d.domainName} on ${d.host.name}?`} danger />}
                    {d.state === "Open" && <ConfirmAction action={ignoreDriftAction.bind(null, d.id)} label="Ignore" accessibleName={`Ignore ${d.domainName}`} />}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
