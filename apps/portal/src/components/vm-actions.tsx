"use client";

import { useState, useTransition } from "react";
import { vmAction, type TPageVmAction } from "../app/vms/actions.ts";

const LABELS: Record<TPageVmAction, string> = { start: "Start", stop: "Stop", reboot: "Reboot", destroy: "Destroy", recreate: "Re-create" };

/** The buttons for what can be done to a VM now; destroy asks for confirmation first. */
export function VmActions({ vm, onDone }: { vm: { id: string; name: string; actions: TPageVmAction[] }; onDone: () => void }) {
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = (action: TPageVmAction) =>
    startTransition(async () => {
      const result = await vmAction(vm.id, action);
      setError(result.message);
      setConfirming(false);
      onDone();
    });

  if (confirming) {
    return (
      <div className="actions" role="group" aria-label={`Confirm destroying ${vm.name}`}>
        <span>Destroy {vm.name} and its disks?</span>
        <button type="button" className="danger" disabled={pending} onClick={() => run("destroy")}>Yes, destroy {vm.name}</button>
        <button type="button" autoFocus onClick={() => setConfirming(false)}>Cancel</button>
      </div>
    );
  }
  return (
    <div className="actions">
      {vm.actions.map((action) => (
        <button key={action} type="button" disabled={pending} aria-label={`${LABELS[action]} ${vm.name}`} className={action === "destroy" ? "danger" : undefined} onClick={() => (action === "destroy" ? setConfirming(true) : run(action))}>
          {LABELS[action]}
        </button>
      ))}
      {error && <span className="error" role="alert">{error}</span>}
    </div>
  );
}
