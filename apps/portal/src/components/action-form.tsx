"use client";

import { useRef, useState, useTransition, type FormEvent } from "react";
import type { TFormResult } from "../server/form-result.ts";

export interface TFieldSpec {
  /** The core input field it fills (field errors are matched by it). */
  name: string;
  label: string;
  type?: "text" | "number" | "password" | "url" | "checkbox" | "select" | "multiselect";
  options?: { value: string; label: string }[];
  hint?: string;
  defaultValue?: string;
  placeholder?: string;
  autoComplete?: string;
}

const IDLE: TFormResult = { code: null, message: null, fields: [], notice: null, reveal: null };

/**
 * A labelled, keyboard-usable form for one admin action. Core's field errors show next to their
 * fields (which keep what was typed), other refusals above the button; success clears the form and
 * shows what was done, and a one-time secret (a join command) when there is one.
 */
export function ActionForm({ id, title, fields, submit, action, onSuccess }: {
  id: string;
  title: string;
  fields: TFieldSpec[];
  submit: string;
  action: (previous: TFormResult, form: FormData) => Promise<TFormResult>;
  /** Runs after a success, with what was submitted (the form is cleared unless it returns "keep"). */
  onSuccess?: (form: FormData) => Promise<"keep" | void>;
}) {
  const form = useRef<HTMLFormElement>(null);
  const [result, setResult] = useState(IDLE);
  const [pending, startTransition] = useTransition();
  const errorOf = (name: string) => result.fields.find((f) => f.field === name || f.field.startsWith(`${name}.`))?.message ?? null;
  const general = result.message && !fields.some((f) => errorOf(f.name)) ? result.message : null;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(async () => {
      const next = await action(result, data);
      setResult(next);
      if (next.code === null && (await onSuccess?.(data)) !== "keep") form.current?.reset();
    });
  };

  return (
    <form ref={form} className="stack" onSubmit={onSubmit} noValidate aria-label={title}>
      {fields.map((field) => {
        const fieldId = `${id}-${field.name}`;
        const error = errorOf(field.name);
        const described = [field.hint ? `${fieldId}-hint` : null, error ? `${fieldId}-error` : null].filter(Boolean).join(" ") || undefined;
        const common = { id: fieldId, name: field.name, "aria-invalid": error ? true : undefined, "aria-describedby": described };
        return (
          <div className={field.type === "checkbox" ? "field check" : "field"} key={field.name}>
            {field.type === "checkbox" && <input type="checkbox" {...common} defaultChecked={field.defaultValue === "on"} />}
            <label htmlFor={fieldId}>{field.label}</label>
            {field.type === "select" || field.type === "multiselect" ? (
              <select {...common} multiple={field.type === "multiselect"} defaultValue={field.type === "multiselect" ? [] : field.defaultValue}>
                {field.options?.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
              </select>
            ) : field.type === "checkbox" ? null : (
              <input {...common} type={field.type ?? "text"} defaultValue={field.defaultValue} placeholder={field.placeholder} autoComplete={field.autoComplete ?? "off"} step={field.type === "number" ? "any" : undefined} />
            )}
            {field.hint && <span className="hint" id={`${fieldId}-hint`}>{field.hint}</span>}
            {error && <span className="error" id={`${fieldId}-error`} role="alert">{field.label} {error}</span>}
          </div>
        );
      })}
      {general && <div className="alert" role="alert" data-code={result.code}>{general}</div>}
      {result.notice && <p className="notice" role="status">{result.notice}</p>}
      {result.reveal && (
        <div className="reveal" role="status">
          <p><strong>{result.reveal.label}</strong></p>
          <code data-reveal={id}>{result.reveal.text}</code>
        </div>
      )}
      <div><button type="submit" className="primary" disabled={pending}>{pending ? "Working…" : submit}</button></div>
    </form>
  );
}
