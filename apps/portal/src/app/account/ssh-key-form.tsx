"use client";

import { useActionState, useEffect, useState } from "react";
import type { TActionResult } from "../../server/action-result.ts";
import { addSshKeyFromForm } from "./actions.ts";

const NONE: TActionResult = { code: null, message: null, fields: [] };

/** Add SSH key: core's field errors are shown next to the name or the key, which stay as typed to be fixed. */
export function SshKeyForm() {
  const [result, submit, pending] = useActionState(addSshKeyFromForm, NONE);
  const [name, setName] = useState("");
  const [publicKey, setPublicKey] = useState("");
  useEffect(() => {
    if (result !== NONE && result.code === null) {
      setName("");
      setPublicKey("");
    }
  }, [result]);
  const fieldError = (field: string) => result.fields.find((f) => f.field === field)?.message ?? null;
  const general = result.message && !result.fields.some((f) => f.field === "name" || f.field === "publicKey") ? result.message : null;
  const described = (id: string, field: string) => (fieldError(field) ? `${id}-error` : undefined);
  return (
    <form className="stack" action={submit} noValidate aria-label="Add SSH key">
      <div className="field">
        <label htmlFor="ssh-name">SSH key name</label>
        <input id="ssh-name" name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={fieldError("name") ? true : undefined} aria-describedby={described("ssh-name", "name")} />
        {fieldError("name") && <span className="error" id="ssh-name-error" role="alert">Name {fieldError("name")}</span>}
      </div>
      <div className="field">
        <label htmlFor="ssh-public-key">Public key</label>
        <textarea id="ssh-public-key" name="publicKey" spellCheck={false} value={publicKey} onChange={(e) => setPublicKey(e.target.value)} placeholder="ssh-ed25519 AAAA… you@laptop" aria-invalid={fieldError("publicKey") ? true : undefined}
          aria-describedby={["ssh-public-key-hint", described("ssh-public-key", "publicKey")].filter(Boolean).join(" ")} />
        <span className="hint" id="ssh-public-key-hint">One line, as in ~/.ssh/id_ed25519.pub.</span>
        {fieldError("publicKey") && <span className="error" id="ssh-public-key-error" role="alert">Public key {fieldError("publicKey")}</span>}
      </div>
      {general && <div className="alert" role="alert" data-code={result.code}>{general}</div>}
      <div><button type="submit" className="primary" disabled={pending}>{pending ? "Adding…" : "Add SSH key"}</button></div>
    </form>
  );
}
