import { listGroups, listQuotas, listUsers } from "@carve/core";
import Link from "next/link";
import { ActionForm } from "../../../components/action-form.tsx";
import { ConfirmAction } from "../../../components/confirm-action.tsx";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { when } from "../format.ts";
import { endUserSessionsAction, mapGroupFromForm, setQuotaFromForm, setUserEnabledAction, unlockSignInFromForm } from "./actions.ts";
import { QuotaTable } from "./quota-table.tsx";

const PAGE_SIZE = 25;

/** Users (searchable, a page at a time) with roles and state; groups and teams; quotas with their use. */
export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<{ q?: string; cursor?: string }> }) {
  const actor = await adminActor();
  const { q, cursor } = await searchParams;
  const search = typeof q === "string" ? q.slice(0, 200) : "";
  const after = typeof cursor === "string" && cursor !== "" ? cursor : undefined;
  const core = portalCore();
  // A bad cursor (an edited URL) is the same INVALID_INPUT page as any core error: the error boundary shows it.
  const [page, groups, quotas] = await Promise.all([listUsers(core, actor, { search, limit: PAGE_SIZE, cursor: after }), listGroups(core, actor), listQuotas(core, actor)]);
  const users = page.items;
  const href = (next: string | null) => `/admin/users?${new URLSearchParams({ ...(search ? { q: search } : {}), ...(next ? { cursor: next } : {}) }).toString()}`;
  return (
    <>
      <h1>Users &amp; teams</h1>
      <form className="toolbar search" role="search" method="get" action="/admin/users">
        <div className="field inline">
          <label htmlFor="user-search">Search users</label>
          <input id="user-search" name="q" type="search" defaultValue={search} placeholder="name, display name or email" />
          <button type="submit">Search</button>
        </div>
        <span className="muted">{users.length} user{users.length === 1 ? "" : "s"} on this page{page.nextCursor ? ", more on the next" : ""}</span>
      </form>
      <table aria-label="Users">
        <thead>
          <tr><th scope="col">Username</th><th scope="col">Source</th><th scope="col">Role</th><th scope="col">Groups</th><th scope="col">Live VMs</th><th scope="col">Last sign-in</th><th scope="col">State</th><th scope="col"><span className="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {users.length === 0 && <tr><td colSpan={8} className="muted">No users match.</td></tr>}
          {users.map((u) => (
            <tr key={u.id} data-user={u.username}>
              <td>{u.username}{(u.displayName ?? u.email) && <div className="muted small">{[u.displayName, u.email].filter(Boolean).join(" · ")}</div>}</td>
              <td>{u.source === "Ldap" ? "directory" : "local"}</td>
              <td>{u.role}</td>
              <td className="small">{u.groups.map((g) => (u.teams.includes(g) ? `${g} (team)` : g)).join(", ") || "—"}</td>
              <td>{u.liveVms}</td>
              <td className="small">{when(u.lastLoginAt)}</td>
              <td>{u.disabledAt ? <span className="badge error" title={u.disabledReason ?? undefined}>Disabled</span> : <span className="badge up">Active</span>}</td>
              <td>
                {u.id === actor.userId ? <span className="muted">you</span> : u.disabledAt ? (
                  <ConfirmAction action={setUserEnabledAction.bind(null, u.id, true)} label="Enable" accessibleName={`Enable ${u.username}`} />
                ) : (
                  <>
                    <ConfirmAction action={endUserSessionsAction.bind(null, u.id)} label="Sign out everywhere" accessibleName={`Sign ${u.username} out everywhere`} confirm={`Sign ${u.username} out everywhere? Every portal session of theirs ends at once (API keys keep working).`} />
                    <ConfirmAction action={setUserEnabledAction.bind(null, u.id, false)} label="Disable" accessibleName={`Disable ${u.username}`} confirm={`Disable ${u.username}? Their sessions and API keys stop working at once.`} danger />
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="User pages">
        {after && <Link href={href(null)}>← First page</Link>}
        {page.nextCursor && <Link href={href(page.nextCursor)}>Next page →</Link>}
      </nav>

      <h2>Groups and teams</h2>
      <table aria-label="Groups">
        <thead><tr><th scope="col">Group</th><th scope="col">Role given</th><th scope="col">Team</th><th scope="col">Members</th></tr></thead>
        <tbody>
          {groups.length === 0 && <tr><td colSpan={4} className="muted">No groups yet: map one below, or sync the directory.</td></tr>}
          {groups.map((g) => (
            <tr key={g.id} data-group={g.name}>
              <td>{g.name}{g.ldapDn && <div className="muted small">{g.ldapDn}</div>}</td>
              <td>{g.role ?? "—"}</td>
              <td>{g.isTeam ? "team" : "—"}</td>
              <td>{g._count.members}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Quotas</h2>
      <QuotaTable quotas={quotas} />
      <div className="form-grid">
        <section className="panel form-panel" aria-labelledby="map-group-heading">
          <h3 id="map-group-heading">Map a group to a role or team</h3>
          <ActionForm
            id="map-group"
            title="Map group"
            submit="Save group"
            action={mapGroupFromForm}
            fields={[
              { name: "group", label: "Group", hint: "A directory group's name or DN, or a new Carve team's name." },
              { name: "role", label: "Role its members get", type: "select", defaultValue: "none", options: [{ value: "none", label: "none" }, { value: "User", label: "User" }, { value: "Admin", label: "Admin" }] },
              { name: "team", label: "Is a team (owns quotas, shares VMs)", type: "checkbox" },
            ]}
          />
        </section>
        <section className="panel form-panel" aria-labelledby="quota-heading">
          <h3 id="quota-heading">Set a quota</h3>
          <ActionForm
            id="set-quota"
            title="Set quota"
            submit="Save quota"
            action={setQuotaFromForm}
            fields={[
              { name: "scope", label: "For", type: "select", defaultValue: "user", options: [{ value: "user", label: "a user" }, { value: "group", label: "a group or team" }] },
              { name: "owner", label: "User or group name" },
              { name: "maxVms", label: "Max VMs", hint: "Empty: unchanged; 'none': no limit." },
              { name: "maxVcpus", label: "Max vCPUs" },
              { name: "maxMemMiB", label: "Max memory (MiB)" },
              { name: "maxStorGiB", label: "Max storage (GiB)" },
            ]}
          />
        </section>
        <section className="panel form-panel" aria-labelledby="unlock-heading">
          <h3 id="unlock-heading">Clear a sign-in lockout</h3>
          <ActionForm
            id="unlock-sign-in"
            title="Clear sign-in lockout"
            submit="Clear lockout"
            action={unlockSignInFromForm}
            fields={[{ name: "target", label: "Username or IP address", hint: "A username: every address it was paused for. An address: every username tried from it." }]}
          />
        </section>
      </div>
    </>
  );
}
