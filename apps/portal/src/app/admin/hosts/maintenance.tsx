"use client";

import { useState, useTransition } from "react";
import { ConfirmAction } from "../../../components/confirm-action.tsx";
import type { TFormResult } from "../../../server/form-result.ts";
import { endMaintenanceAction, planMaintenanceAction, startMaintenanceAction, type TPlanResult } from "./actions.ts";

const KIND: Record<string, string> = { "live-migrate": "live-migrates to", "cold-move": "moves (stopped) to", "in-progress": "is already moving", blocked: "cannot leave" };

/**
 * The maintenance toggle of one host. Starting shows the dry-run plan first (each VM, where it
 * would go, or why it cannot leave) and asks for confirmation; ending returns the host to service.
 */
export function MaintenanceToggle({ host }: { host: { id: string; name: string; state: string } }) {
  const [pending, startTransition] = useTransition();
  const [plan, setPlan] = useState<TPlanResult | null>(null);
  const [result, setResult] = useState<TFormResult | null>(null);

  if (host.state === "PrepareForMaintenance" || host.state === "Maintenance") {
    return <ConfirmAction action={endMaintenanceAction.bind(null, host.id)} label="End maintenance" accessibleName={`End maintenance of ${host.name}`} confirm={`Return ${host.name} to service? Moves still running stop.`} />;
  }
  const showPlan = () => startTransition(async () => setPlan(await planMaintenanceAction(host.id)));
  const start = () =>
    startTransition(async () => {
      setResult(await startMaintenanceAction(host.id));
      setPlan(null);
    });
  return (
    <div className="row-action">
      {plan?.plan ? (
        <div className="plan" role="group" aria-label={`Maintenance plan for ${host.name}`}>
          <p><strong>{plan.plan.message}</strong></p>
          {plan.plan.moves.length > 0 && (
            <ul>
              {plan.plan.moves.map((m) => (
                <li key={m.vm.id} data-move={m.vm.name}>
                  {m.vm.name} ({m.vm.state}) {KIND[m.kind] ?? m.kind} {m.target?.name ?? ""}
                  {m.storageMotion.length > 0 && `, copying ${m.storageMotion.map((d) => `${d.sizeGiB} GiB from ${d.pool}`).join(", ")}`}
                  {m.blocker && `: ${m.blocker}`}
                </li>
              ))}
            </ul>
          )}
          <div className="actions">
            <button type="button" className="danger" disabled={pending} onClick={start}>Start maintenance of {host.name}</button>
            <button type="button" autoFocus onClick={() => setPlan(null)}>Cancel</button>
          </div>
        </div>
      ) : (
        <button type="button" disabled={pending} aria-label={`Maintenance of ${host.name}`} onClick={showPlan}>{pending ? "Planning…" : "Maintenance…"}</button>
      )}
      {(plan?.message ?? result?.message) && <p className="error" role="alert" data-code={plan?.code ?? result?.code}>{plan?.message ?? result?.message}</p>}
      {result?.notice && <p className="notice" role="status">{result.notice}</p>}
    </div>
  );
}
