"use client";

import type { TVmPlan } from "@carve/core";
import { useEffect, useRef, useState, type RefObject } from "react";
import { ZResourceName } from "@carve/core/fields";
import { planVmFromForm } from "../actions.ts";

const DEBOUNCE_MS = 400;

export type TPreview = { kind: "idle" } | { kind: "checking" } | { kind: "plan"; plan: TVmPlan } | { kind: "error"; code: string | null; message: string };

/**
 * Asks core for a dry run of the create whenever `inputs` change (debounced), while `ready`. A
 * slower, older answer never replaces a newer one.
 */
export function usePlacementPreview(form: RefObject<HTMLFormElement | null>, inputs: readonly string[], ready: boolean): TPreview {
  const [preview, setPreview] = useState<TPreview>({ kind: "idle" });
  const latest = useRef(0);
  const key = inputs.join("\u0000");
  useEffect(() => {
    if (!ready || !form.current) {
      setPreview({ kind: "idle" });
      return;
    }
    const request = ++latest.current;
    const element = form.current;
    const timer = setTimeout(() => {
      const data = new FormData(element);
      // Where a VM goes does not depend on its name: an unfinished name must not hide the plan.
      if (!ZResourceName.safeParse(data.get("name")).success) data.set("name", "plan-preview");
      setPreview({ kind: "checking" });
      void planVmFromForm(data).then((answer) => {
        if (request !== latest.current) return;
        setPreview(answer.plan ? { kind: "plan", plan: answer.plan } : { kind: "error", code: answer.code, message: answer.message ?? "The plan could not be made." });
      });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [form, key, ready]);
  return preview;
}

/** Where the VM would be placed now, or each host's reason why none can take it. */
export function PlacementPreview({ preview, ready }: { preview: TPreview; ready: boolean }) {
  return (
    <section aria-label="Placement" className="placement" data-preview={preview.kind === "plan" ? (preview.plan.fits ? "fits" : "no-fit") : preview.kind}>
      <h2>Placement</h2>
      {!ready && <p className="muted">Choose a template and an offering to see where the VM would go.</p>}
      {ready && preview.kind === "checking" && <p className="muted" role="status">Checking…</p>}
      {preview.kind === "error" && <p className="alert" data-code={preview.code}>{preview.message}</p>}
      {preview.kind === "plan" && preview.plan.fits && preview.plan.host && (
        <p className="notice" id="placement-host">
          Would run on host <strong>{preview.plan.host.name}</strong>{preview.plan.pool && <>, disk in pool <strong>{preview.plan.pool.name}</strong></>}.
        </p>
      )}
      {preview.kind === "plan" && preview.plan.dataDisks.length > 0 && (
        <ul id="placement-data-disks" aria-label="Data disk placement">
          {preview.plan.dataDisks.map((d) => (
            <li key={d.label} data-disk-pool={d.pool?.name ?? ""}>
              Data disk {d.label}:{" "}
              {d.pool ? <>pool <strong>{d.pool.name}</strong> ({d.pool.scope.toLowerCase()})</> : d.reason ? <span className="error">no pool: {d.reason}</span> : <span className="muted">not placed</span>}
            </li>
          ))}
        </ul>
      )}
      {preview.kind === "plan" && !preview.plan.fits && (
        <div className="alert" id="placement-refusal">
          <p>{preview.plan.message}</p>
          {preview.plan.rejections.length > 0 && (
            <ul>{preview.plan.rejections.map((r) => <li key={r.host}><strong>{r.host}</strong>: {r.reason}</li>)}</ul>
          )}
        </div>
      )}
    </section>
  );
}
