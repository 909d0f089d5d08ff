import { listVms } from "@carve/core";
import Link from "next/link";
import { ZVmState } from "../../api/schemas.ts";
import { toVmJson } from "../../api/to-json.ts";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";
import { VmTable } from "./vm-table.tsx";

const PAGE_SIZE = 20;

type TSearch = { cursor?: string; name?: string; state?: string };

export default async function MyVmsPage({ searchParams }: { searchParams: Promise<TSearch> }) {
  const actor = await pageActor();
  const { cursor, name, state } = await searchParams;
  const validState = ZVmState.safeParse(state).success ? state : undefined;
  // Admins may list everyone's VMs; this page is the signed-in user's own.
  const filters = { ...(name ? { name } : {}), ...(validState ? { state: validState } : {}) };
  const filter = { limit: String(PAGE_SIZE), owner: actor.username, ...filters, ...(cursor ? { cursor } : {}) };
  const page = await listVms(portalCore(), actor, filter);
  const query = new URLSearchParams(filter);
  const filtered = new URLSearchParams(filters);
  const filteredFirst = filtered.size > 0 ? `/vms?${filtered}` : "/vms";
  return (
    <>
      <div className="toolbar">
        <h1>My VMs</h1>
        <Link href="/vms/new" className="button primary">Create VM</Link>
      </div>
      <form className="filters" method="get" action="/vms" aria-label="Filter VMs">
        <div className="field">
          <label htmlFor="filter-name">Name contains</label>
          <input id="filter-name" name="name" defaultValue={name ?? ""} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="filter-state">State</label>
          <select id="filter-state" name="state" defaultValue={validState ?? ""}>
            <option value="">Any state</option>
            {ZVmState.options.filter((s) => s !== "Destroyed").map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        <div className="actions">
          <button type="submit">Filter</button>
          {filtered.size > 0 && <Link href="/vms" className="button">Clear</Link>}
        </div>
      </form>
      <VmTable pollUrl={`/api/v1/vms?${query}`} initial={{ items: page.items.map(toVmJson), nextCursor: page.nextCursor }} filtered={filtered.size > 0} />
      <nav className="pager" aria-label="Pages">
        {cursor && <Link href={filteredFirst}>← Newest</Link>}
        {page.nextCursor && <Link href={`/vms?${new URLSearchParams({ ...filters, cursor: page.nextCursor })}`}>Older →</Link>}
      </nav>
    </>
  );
}
