"use client";

import { useActionState } from "react";
import { createApiKeyFromForm, type TCreatedKey } from "./actions.ts";

const NONE: TCreatedKey = { code: null, message: null, fields: [], key: null, name: null };

/** Create API key: the secret is shown here once, from the action's answer, and is gone on reload. */
export function ApiKeyForm() {
  const [result, submit, pending] = useActionState(createApiKeyFromForm, NONE);
  const fieldError = (field: string) => result.fields.find((f) => f.field === field)?.message ?? null;
  const general = result.message && !result.fields.some((f) => f.field === "name" || f.field === "scope") ? result.message : null;
  return (
    <>
      {result.key && (
        <div className="reveal" role="status">
          <p><strong>API key {result.name} created.</strong> Copy it now: it will not be shown again.</p>
          <code id="new-api-key">{result.key}</code>
        </div>
      )}
      <form className="stack" action={submit} noValidate aria-label="Create API key">
        <div className="field">
          <label htmlFor="key-name">Key name</label>
          <input id="key-name" name="name" autoComplete="off" aria-invalid={fieldError("name") ? true : undefined} aria-describedby={fieldError("name") ? "key-name-error" : undefined} />
          {fieldError("name") && <span className="error" id="key-name-error" role="alert">Name {fieldError("name")}</span>}
        </div>
        <div className="field">
          <label htmlFor="key-scope">Scope</label>
          <select id="key-scope" name="scope" defaultValue="Read" aria-invalid={fieldError("scope") ? true : undefined} aria-describedby={fieldError("scope") ? "key-scope-error" : undefined}>
            <option value="Read">read: view VMs and jobs</option>
            <option value="Write">write: also create and change VMs</option>
          </select>
          {fieldError("scope") && <span className="error" id="key-scope-error" role="alert">Scope {fieldError("scope")}</span>}
        </div>
        {general && <div className="alert" role="alert" data-code={result.code}>{general}</div>}
        <div><button type="submit" className="primary" disabled={pending}>{pending ? "Creating…" : "Create API key"}</button></div>
      </form>
    </>
  );
}
