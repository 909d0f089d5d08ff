"use client";

import { useCallback, useEffect, useState } from "react";
import type { TSerialLogJson, TVmJson } from "../../../api/schemas.ts";

type TShown = { kind: "loading" } | { kind: "log"; log: TSerialLogJson } | { kind: "refused"; code: string; message: string };

const LINES = 100;

/**
 * The last lines of the VM's serial console log (its boot messages), read from its host through
 * GET /api/v1/vms/{id}/serial-log when the page opens and on Refresh (not polled: each read asks
 * the host's agent). A refusal (host down, no console listener) is shown in core's words.
 */
export function VmSerialLog({ vm }: { vm: Pick<TVmJson, "id" | "name"> }) {
  const [shown, setShown] = useState<TShown>({ kind: "loading" });
  const load = useCallback(async () => {
    setShown({ kind: "loading" });
    const response = await fetch(`/api/v1/vms/${vm.id}/serial-log?lines=${LINES}`, { cache: "no-store", headers: { accept: "application/json" } }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as (TSerialLogJson & { code?: string; message?: string }) | null;
    if (response?.ok && body) setShown({ kind: "log", log: body });
    else setShown({ kind: "refused", code: body?.code ?? "UNREACHABLE", message: body?.message ?? "The portal did not answer. Try Refresh in a moment." });
  }, [vm.id]);
  useEffect(() => void load(), [load]);

  return (
    <section aria-labelledby="serial-log-heading">
      <div className="toolbar">
        <h2 id="serial-log-heading">Serial log</h2>
        <button type="button" disabled={shown.kind === "loading"} aria-label={`Refresh the serial log of ${vm.name}`} onClick={() => void load()}>Refresh</button>
      </div>
      {shown.kind === "loading" && <p className="muted">Reading the serial log…</p>}
      {shown.kind === "refused" && <p className="notice" id="serial-log-refused" data-code={shown.code}>{shown.message}</p>}
      {shown.kind === "log" && shown.log.text === "" && <p className="muted" id="serial-log-empty">The serial log of {vm.name} is empty: the guest has written nothing to its serial port yet.</p>}
      {shown.kind === "log" && shown.log.text !== "" && (
        <>
          {shown.log.truncated && <p className="muted">The last {LINES} lines or fewer; earlier ones are not shown (&apos;carve vm log {vm.name} --lines 1000&apos; shows more).</p>}
          <pre className="serial-log" id="serial-log" aria-label={`Serial log of ${vm.name}`}>{shown.log.text}</pre>
        </>
      )}
    </section>
  );
}
