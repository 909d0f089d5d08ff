"use client";

import type { TVmJson } from "../../../api/schemas.ts";
import { PasswordReset } from "../../../components/password-reset.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";
import { usePolling } from "../../../components/use-polling.ts";
import { VmActions } from "../../../components/vm-actions.tsx";
import { VmAddresses } from "./vm-addresses.tsx";
import { VmConsoleButtons } from "./vm-console-buttons.tsx";
import { VmVolumes, type TAttachable } from "./vm-volumes.tsx";
import { VmSerialLog } from "./vm-serial-log.tsx";

/** One VM, refreshed every 2 s, with the way in (addresses, connect line) and its volumes. */
export function VmDetail({ initial, attachable }: { initial: TVmJson; attachable: TAttachable[] }) {
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
      <VmAddresses vm={vm} />
      {vm.state === "Running" && <PasswordReset vm={vm} />}
      <VmConsoleButtons vm={vm} />
      <VmVolumes vm={vm} attachable={attachable} onDone={refresh} />
      <VmSerialLog vm={vm} />
    </div>
  );
}
