"use client";

import { useState, useTransition } from "react";
import { openConsoleAction } from "../actions.ts";

/**
 * The VM page's way into its console: each button asks core for a one-time link and opens it here;
 * "in a new window" opens the console page, which asks for its own link (a link works once, in one
 * window). A refusal ("VM web-1 is Stopped: start it to use its console.") shows below.
 */
export function VmConsoleButtons({ vm }: { vm: { id: string; name: string } }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const open = (kind: "vnc" | "serial") =>
    startTransition(async () => {
      setError(null);
      const result = await openConsoleAction(vm.id, kind);
      // A full load: the console page reads its link from the fragment once, as it does for a pasted link.
      if (result.path) window.location.assign(result.path);
      else setError(result.message ?? "The console could not be opened. Try again.");
    });
  return (
    <section aria-label="Console">
      <h2>Console</h2>
      <div className="actions">
        <button type="button" disabled={pending} onClick={() => open("vnc")}>Console</button>
        <button type="button" disabled={pending} onClick={() => open("serial")}>Serial console</button>
        <a href={`/vms/${vm.id}/console?kind=vnc`} target="_blank" rel="noopener">Console in a new window</a>
      </div>
      {error && <p className="alert" role="alert">{error}</p>}
    </section>
  );
}
