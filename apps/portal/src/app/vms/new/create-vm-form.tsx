"use client";

import { ZResourceName } from "@carve/core/fields";
import { useActionState, useState } from "react";
import { createVmFromForm, type TActionResult } from "../actions.ts";

const NONE: TActionResult = { code: null, message: null, fields: [] };
const FIELDS = ["name", "template", "offering", "description"] as const;

interface TProps {
  templates: { name: string; ready: boolean; description: string | null }[];
  offerings: { name: string; summary: string }[];
}

/** The name's problem as the user types (the same rule core applies), or null. */
function nameProblem(name: string): string | null {
  if (name === "") return null;
  const parsed = ZResourceName.safeParse(name);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? "is not a valid name");
}

export function CreateVmForm({ templates, offerings }: TProps) {
  const [result, submit, pending] = useActionState(createVmFromForm, NONE);
  const [name, setName] = useState("");
  const [typed, setTyped] = useState(false);
  const fieldError = (field: string) => result.fields.find((f) => f.field === field)?.message ?? null;
  const nameError = (typed ? nameProblem(name) : null) ?? fieldError("name");
  // Errors not tied to one of the form's fields (no capacity, quota) are shown above the button.
  const general = result.message && !result.fields.some((f) => (FIELDS as readonly string[]).includes(f.field)) ? result.message : null;

  const field = (id: (typeof FIELDS)[number], label: string, control: React.ReactNode, hint?: string, error = fieldError(id)) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && <span className="hint" id={`${id}-hint`}>{hint}</span>}
      {error && <span className="error" id={`${id}-error`} role="alert">{label} {error}</span>}
    </div>
  );
  const described = (id: string, error: string | null, hint = false) => [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;

  return (
    <form className="stack" action={submit} noValidate>
      {field(
        "name",
        "Name",
        <input id="name" name="name" value={name} autoComplete="off" aria-invalid={nameError ? true : undefined} aria-describedby={described("name", nameError, true)}
          onChange={(e) => { setName(e.target.value); setTyped(true); }} />,
        "Lowercase letters, digits and hyphens; it becomes the VM's hostname.",
        nameError,
      )}
      {field(
        "template",
        "Template",
        <select id="template" name="template" defaultValue="" aria-invalid={fieldError("template") ? true : undefined} aria-describedby={described("template", fieldError("template"))}>
          <option value="" disabled>Choose a template</option>
          {templates.map((t) => <option key={t.name} value={t.name} disabled={!t.ready}>{t.name}{t.ready ? "" : " (not ready)"}{t.description ? ` — ${t.description}` : ""}</option>)}
        </select>,
      )}
      {field(
        "offering",
        "Offering",
        <select id="offering" name="offering" defaultValue="" aria-invalid={fieldError("offering") ? true : undefined} aria-describedby={described("offering", fieldError("offering"))}>
          <option value="" disabled>Choose an offering</option>
          {offerings.map((o) => <option key={o.name} value={o.name}>{o.name} ({o.summary})</option>)}
        </select>,
      )}
      {field("description", "Description (optional)", <input id="description" name="description" aria-describedby={described("description", fieldError("description"))} />)}
      {general && (
        <div className="alert" role="alert" data-code={result.code}>
          {result.code === "NO_CAPACITY" && <strong>No host can take this VM. </strong>}
          {general}
        </div>
      )}
      <div>
        <button type="submit" className="primary" disabled={pending || nameProblem(name) !== null}>{pending ? "Creating…" : "Create VM"}</button>
      </div>
    </form>
  );
}
