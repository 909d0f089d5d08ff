"use client";

import { useState, useTransition } from "react";
import type { TFormResult } from "../server/form-result.ts";

/**
 * A table row's button for a server action; with `confirm`, nothing happens until the admin
 * confirms. Core's refusal (e.g. HAS_DEPENDENTS naming what is in the way) and a one-time secret
 * show beside it.
 */
export function ConfirmAction({ action, label, accessibleName, confirm, danger = false }: { action: () => Promise<TFormResult>; label: string; accessibleName: string; confirm?: string; danger?: boolean }) {
  const [pending, startTransition] = useTransition();
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState<TFormResult | null>(null);
  const run = () =>
    startTransition(async () => {
      setAsking(false);
      setResult(await action());
    });
  return (
    <div className="row-action">
      {asking && confirm ? (
        <div className="actions" role="group" aria-label={`Confirm: ${accessibleName}`}>
          <span>{confirm}</span>
          <button type="button" className={danger ? "danger" : "primary"} disabled={pending} onClick={run}>Yes, {label.toLowerCase()}</button>
          <button type="button" autoFocus onClick={() => setAsking(false)}>Cancel</button>
        </div>
      ) : (
        <button type="button" className={danger ? "danger" : undefined} disabled={pending} aria-label={accessibleName} onClick={() => (confirm ? setAsking(true) : run())}>
          {pending ? "Working…" : label}
        </button>
      )}
      {result?.message && <p className="error" role="alert" data-code={result.code}>{result.message}</p>}
      {result?.reveal && (
        <div className="reveal" role="status">
          <p><strong>{result.reveal.label}</strong></p>
          <code>{result.reveal.text}</code>
        </div>
      )}
    </div>
  );
}
