"use client";

import Link from "next/link";
import type { TVmJson } from "../../api/schemas.ts";
import { StateBadge } from "../../components/state-badge.tsx";
import { usePolling } from "../../components/use-polling.ts";
import { VmActions } from "../../components/vm-actions.tsx";

interface TVmPage {
  items: TVmJson[];
  nextCursor: string | null;
}

function age(createdAt: string): string {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(createdAt)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / 1440)} d`;
}

/** The VM list, refreshed every 2 s from the API so states change without a reload. */
export function VmTable({ pollUrl, initial, filtered = false }: { pollUrl: string; initial: TVmPage; filtered?: boolean }) {
  const [page, refresh] = usePolling(pollUrl, initial);
  if (page.items.length === 0 && filtered) return <p className="panel muted">No VMs match these filters.</p>;
  if (page.items.length === 0) {
    return <p className="panel muted">No VMs yet. <Link href="/vms/new">Create one</Link>.</p>;
  }
  return (
    <table aria-label="My VMs">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">State</th>
          <th scope="col">Address</th>
          <th scope="col">Host</th>
          <th scope="col">Template</th>
          <th scope="col">Offering</th>
          <th scope="col">Age</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {page.items.map((vm) => (
          <tr key={vm.id} data-vm={vm.name}>
            <td><Link href={`/vms/${vm.id}`}>{vm.name}</Link></td>
            <td><StateBadge state={vm.state} /></td>
            <td data-address>{vm.ipAddress ?? "—"}{vm.addresses[0]?.hostname && vm.ipAddress && <div className="muted small">{vm.addresses[0].hostname}</div>}</td>
            <td>{vm.host?.name ?? "—"}</td>
            <td>{vm.template?.name ?? "—"}</td>
            <td>{vm.offering?.name ?? "—"}</td>
            <td suppressHydrationWarning>{age(vm.createdAt)}</td>
            <td><VmActions vm={vm} onDone={refresh} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
