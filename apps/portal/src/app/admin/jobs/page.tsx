import { listJobs } from "@carve/core";
import Link from "next/link";
import { AutoRefresh } from "../../../components/auto-refresh.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { refusalPage } from "../../../server/page-errors.ts";
import { when } from "../format.ts";

/** Every job, failed ones first, a page at a time, with who started it and the error it ended with. */
export default async function AdminJobsPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const actor = await adminActor();
  const { cursor } = await searchParams;
  const page = await listJobs(portalCore(), actor, { limit: 50, ...(typeof cursor === "string" ? { cursor } : {}) }).catch(refusalPage);
  const running = page.items.some((j) => j.state === "Queued" || j.state === "Running");
  return (
    <>
      <h1>Jobs</h1>
      <AutoRefresh active={running} everyMs={3000} />
      <p className="muted">Failed jobs first, then every other job, newest first.</p>
      <table aria-label="Jobs">
        <thead>
          <tr><th scope="col">Job</th><th scope="col">State</th><th scope="col">On</th><th scope="col">By</th><th scope="col">Created</th><th scope="col">Finished</th><th scope="col">Error</th></tr>
        </thead>
        <tbody>
          {page.items.length === 0 && <tr><td colSpan={7} className="muted">No jobs yet.</td></tr>}
          {page.items.map((j) => (
            <tr key={j.id} data-job={j.id} data-job-state={j.state}>
              <td>{j.kind}<div className="muted small"><code>{j.id.slice(0, 8)}</code>{j.attempts > 1 && ` · ${j.attempts} attempts`}</div></td>
              <td><StateBadge state={j.state} />{(j.state === "Running" || j.state === "Queued") && <div className="muted small">{j.progress}%{j.step && ` · ${j.step}`}</div>}</td>
              <td className="small">{[j.vm && (j.vmId ? <Link key="vm" href={`/vms/${j.vmId}`}>VM {j.vm.name}</Link> : `VM ${j.vm.name}`), j.host && <span key="host"> on {j.host.name}</span>]}</td>
              <td className="small">{j.actor?.username ?? "system"}</td>
              <td className="small">{when(j.createdAt)}</td>
              <td className="small">{j.finishedAt ? when(j.finishedAt) : "—"}</td>
              <td className="small">{j.errorCode && <><code>{j.errorCode}</code> </>}{j.errorMessage}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="Job pages">
        {cursor && <Link href="/admin/jobs">← First page</Link>}
        {page.nextCursor && <Link href={`/admin/jobs?cursor=${page.nextCursor}`}>Next page →</Link>}
      </nav>
    </>
  );
}
