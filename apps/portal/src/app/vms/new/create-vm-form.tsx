"use client";

import { ZResourceName } from "@carve/core/fields";
import { useActionState, useRef, useState } from "react";
import { JobProgress } from "../../../components/job-progress.tsx";
import { QuotaBars, type TQuotaScope } from "../../../components/quota-bars.tsx";
import { createVmFromForm, type TCreateResult } from "../actions.ts";
import { DataDisks, type TDataDisk, type TDiskOfferingChoice } from "./data-disks.tsx";
import { PlacementPreview, usePlacementPreview } from "./placement-preview.tsx";

const NONE: TCreateResult = { code: null, message: null, fields: [], vm: null, job: null };
const FIELDS = ["name", "template", "offering", "description", "sshKeys", "dataDisks"] as const;

interface TProps {
  templates: { name: string; ready: boolean; description: string | null; minDiskGiB: number; cloudInit: boolean }[];
  offerings: { name: string; summary: string; vcpus: number; memoryMiB: number; rootDiskGiB: number }[];
  sshKeys: { name: string; fingerprint: string }[];
  diskOfferings: TDiskOfferingChoice[];
  quota: TQuotaScope[];
}

/** The name's problem as the user types (the same rule core applies), or null. */
function nameProblem(name: string): string | null {
  if (name === "") return null;
  const parsed = ZResourceName.safeParse(name);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? "is not a valid name");
}

export function CreateVmForm({ templates, offerings, sshKeys, diskOfferings, quota }: TProps) {
  const [result, submit, pending] = useActionState(createVmFromForm, NONE);
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState("");
  const [typed, setTyped] = useState(false);
  const [template, setTemplate] = useState("");
  const [offering, setOffering] = useState("");
  const [keys, setKeys] = useState<string[]>([]);
  const [disks, setDisks] = useState<TDataDisk[]>([]);
  const preview = usePlacementPreview(formRef, [name, template, offering, keys.join(","), JSON.stringify(disks)], template !== "" && offering !== "");

  if (result.vm && result.job) return <JobProgress initialJob={result.job} initialVm={result.vm} />;

  const fieldError = (field: string) => result.fields.find((f) => f.field === field || f.field.startsWith(`${field}.`))?.message ?? null;
  const nameError = (typed ? nameProblem(name) : null) ?? fieldError("name");
  // Errors not tied to one of the form's fields (no capacity, quota) are shown above the button.
  const general = result.message && !result.fields.some((f) => (FIELDS as readonly string[]).includes(f.field.split(".")[0] ?? "")) ? result.message : null;
  const chosenOffering = offerings.find((o) => o.name === offering);
  const chosenTemplate = templates.find((t) => t.name === template);
  // SSH keys reach a VM through cloud-init: a template without it cannot take them.
  const keysUnsupported = chosenTemplate !== undefined && !chosenTemplate.cloudInit;
  const diskGiB = disks.reduce((sum, d) => sum + (d.sizeGiB ?? diskOfferings.find((o) => o.name === d.diskOffering)?.sizeGiB ?? 0), 0);
  const adding = chosenOffering
    ? { vms: 1, vcpus: chosenOffering.vcpus, memoryMiB: chosenOffering.memoryMiB, storageGiB: Math.max(chosenOffering.rootDiskGiB, chosenTemplate?.minDiskGiB ?? 0) + diskGiB }
    : { vms: 1, vcpus: 0, memoryMiB: 0, storageGiB: diskGiB };

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
    <div className="create-layout">
      <div className="panel">
        <form className="stack" action={submit} noValidate ref={formRef} aria-label="Create VM">
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
            <select id="template" name="template" value={template} onChange={(e) => setTemplate(e.target.value)} aria-invalid={fieldError("template") ? true : undefined} aria-describedby={described("template", fieldError("template"))}>
              <option value="" disabled>Choose a template</option>
              {templates.map((t) => <option key={t.name} value={t.name} disabled={!t.ready}>{t.name}{t.ready ? "" : " (not ready)"}{t.description ? ` — ${t.description}` : ""}</option>)}
            </select>,
          )}
          {field(
            "offering",
            "Offering",
            <select id="offering" name="offering" value={offering} onChange={(e) => setOffering(e.target.value)} aria-invalid={fieldError("offering") ? true : undefined} aria-describedby={described("offering", fieldError("offering"))}>
              <option value="" disabled>Choose an offering</option>
              {offerings.map((o) => <option key={o.name} value={o.name}>{o.name} ({o.summary})</option>)}
            </select>,
          )}
          <fieldset className="field choices" aria-describedby={described("sshKeys", fieldError("sshKeys"), true)}>
            <legend>SSH keys</legend>
            {sshKeys.length === 0 && <span className="muted">You have no SSH keys yet: add one on your <a href="/account">Account</a> page.</span>}
            {sshKeys.map((k) => (
              <label key={k.name} className="choice">
                <input type="checkbox" name="sshKeys" value={k.name} checked={keys.includes(k.name) && !keysUnsupported} disabled={keysUnsupported}
                  onChange={(e) => setKeys((chosen) => (e.target.checked ? [...chosen, k.name] : chosen.filter((n) => n !== k.name)))} />
                {k.name} <code className="muted">{k.fingerprint}</code>
              </label>
            ))}
            <span className="hint" id="sshKeys-hint">{keysUnsupported ? `Template ${template} has no cloud-init: SSH keys cannot be installed in it.` : "Installed for SSH logins (templates with cloud-init)."}</span>
            {fieldError("sshKeys") && <span className="error" id="sshKeys-error" role="alert">SSH keys {fieldError("sshKeys")}</span>}
          </fieldset>
          {diskOfferings.length > 0 && <DataDisks offerings={diskOfferings} disks={disks} onChange={setDisks} error={fieldError("dataDisks")} />}
          {disks.length > 0 && <input type="hidden" name="dataDisks" value={JSON.stringify(disks)} />}
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
      </div>
      <aside className="panel side" aria-label="Before you create">
        <PlacementPreview preview={preview} ready={template !== "" && offering !== ""} />
        <QuotaBars scopes={quota} adding={adding} />
      </aside>
    </div>
  );
}
