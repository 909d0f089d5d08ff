"use client";

import type { TVmJson } from "../../../api/schemas.ts";
import { PasswordReset } from "../../../components/password-reset.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";
import { usePolling } from "../../../components/use-polling.ts";
import { VmActions } from "../../../components/vm-actions.tsx";

/** One VM, refreshed every 2 s. */
export function VmDetail({ initial }: { initial: TVmJson }) {
  const [vm, refresh] = usePolling(`/api/v1/vms/${initial.id}`, initial);
  return (
    <div className="panel">
      <div className="toolbar">
        <h1>{vm.name} <StateBadge state={vm.state} /></h1>
        <VmActions vm={vm} onDone={refresh} />
      </div>
      {vm.stateReason && <p className="notice">{vm.stateReason}</p>}
      <dl className="facts">
        <dt>Owner</dt><dd>{vm.owner.username}</dd>
        <dt>Host</dt><dd>{vm.host?.name ?? "—"}</dd>
        <dt>IP address</dt><dd>{vm.ipAddress ?? "—"}</dd>
        <dt>Template</dt><dd>{vm.template?.name ?? "—"}</dd>
        <dt>Offering</dt><dd>{vm.offering?.name ?? "—"} ({vm.vcpus} vCPU, {vm.memoryMiB} MiB)</dd>
        <dt>Created</dt><dd>{new Date(vm.createdAt).toISOString().replace("T", " ").slice(0, 16)} UTC</dd>
        {vm.description && (<><dt>Description</dt><dd>{vm.description}</dd></>)}
      </dl>
      {vm.state === "Running" && <PasswordReset vm={vm} />}
      <h2>Volumes</h2>
      <table aria-label="Volumes">
        <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Size</th><th scope="col">Pool</th><th scope="col">State</th></tr></thead>
        <tbody>
          {vm.volumes.map((v) => (
            <tr key={v.id}><td>{v.name}</td><td>{v.kind}</td><td>{v.sizeGiB} GiB</td><td>{v.pool.name}</td><td>{v.state}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
