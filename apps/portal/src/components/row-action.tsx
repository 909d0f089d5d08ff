"use client";

import { useState, useTransition } from "react";
import type { TActionResult } from "../server/action-result.ts";

/** One button that runs a (bound) server action for a table row and shows core's refusal next to it. */
export function RowAction({ action, label, accessibleName }: { action: () => Promise<TActionResult>; label: string; accessibleName: string }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="actions">
      <button type="button" className="danger" disabled={pending} aria-label={accessibleName} onClick={() => startTransition(async () => setError((await action()).message))}>
        {label}
      </button>
      {error && <span className="error" role="alert">{error}</span>}
    </div>
  );
}
