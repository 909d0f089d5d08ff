import { listVms } from "@carve/core";
import Link from "next/link";
import { toVmJson } from "../../api/to-json.ts";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";
import { VmTable } from "./vm-table.tsx";

const PAGE_SIZE = 20;

export default async function MyVmsPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const actor = await pageActor();
  const { cursor } = await searchParams;
  // Admins may list everyone's VMs; this page is the signed-in user's own.
  const filter = { limit: String(PAGE_SIZE), owner: actor.username, ...(cursor ? { cursor } : {}) };
  const page = await listVms(portalCore(), actor, filter);
  const query = new URLSearchParams(filter);
  return (
    <>
      <div className="toolbar">
        <h1>My VMs</h1>
        <Link href="/vms/new" className="button primary">Create VM</Link>
      </div>
      <VmTable pollUrl={`/api/v1/vms?${query}`} initial={{ items: page.items.map(toVmJson), nextCursor: page.nextCursor }} />
      <nav className="pager" aria-label="Pages">
        {cursor && <Link href="/vms">← Newest</Link>}
        {page.nextCursor && <Link href={`/vms?cursor=${page.nextCursor}`}>Older →</Link>}
      </nav>
    </>
  );
}
