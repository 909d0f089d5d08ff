import { listTemplates } from "@carve/core";
import { ActionForm } from "../../../components/action-form.tsx";
import { AutoRefresh } from "../../../components/auto-refresh.tsx";
import { CapacityBar } from "../../../components/capacity-bar.tsx";
import { ConfirmAction } from "../../../components/confirm-action.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { bytes } from "../format.ts";
import { deleteTemplateAction, registerTemplateFromForm, updateTemplateFromForm } from "./actions.ts";

/** Templates in every state: a download shows its progress (refreshed while it runs), a failure its reason. */
export default async function AdminTemplatesPage() {
  const actor = await adminActor();
  const templates = await listTemplates(portalCore(), actor);
  const busy = templates.some((t) => t.state === "Downloading" || t.copies.some((c) => c.state === "Copying"));
  return (
    <>
      <h1>Templates</h1>
      <AutoRefresh active={busy} />
      <table aria-label="Templates">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Image</th><th scope="col">Copies in pools</th><th scope="col">Guest</th><th scope="col"><span className="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {templates.length === 0 && <tr><td colSpan={6} className="muted">No templates yet: register one below.</td></tr>}
          {templates.map((t) => (
            <tr key={t.id} data-template={t.name}>
              <td>{t.name}{t.description && <div className="muted small">{t.description}</div>}{t.sourceUrl && <div className="muted small url">{t.sourceUrl}</div>}</td>
              <td>
                <StateBadge state={t.state} />
                {t.state === "Downloading" && <CapacityBar label={`${t.name} download`} used={t.progress} total={100} unit="%" />}
                {t.stateReason && <div className="muted small" data-reason>{t.stateReason}</div>}
              </td>
              <td>{t.format ?? "format not known yet"}{t.sizeBytes !== null && t.sizeBytes > 0 && ` · ${bytes(t.sizeBytes)}`} · min {t.minDiskGiB} GiB{t.sha256 && <div className="muted small">sha256 {t.sha256.slice(0, 12)}…</div>}</td>
              <td>{t.copies.length === 0 ? <span className="muted">none yet</span> : t.copies.map((c) => <div key={c.pool} className="small">{c.pool}: {c.state}{c.state === "Copying" && ` ${c.progress}%`}{c.stateReason && ` (${c.stateReason})`}</div>)}</td>
              <td className="small"><div data-login-user>login {t.loginUser}</div>{[t.supportsCloudInit && "cloud-init", t.supportsPasswordReset && "password reset"].filter(Boolean).join(", ")}</td>
              <td><ConfirmAction action={deleteTemplateAction.bind(null, t.id)} label="Delete" accessibleName={`Delete template ${t.name}`} confirm={`Delete template ${t.name}?`} danger /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="panel form-panel" aria-labelledby="register-template-heading">
        <h2 id="register-template-heading">Register a template by URL</h2>
        <p className="muted">Carve downloads the image (http or https, from an allowed host), checks its format and sha256, and lists it with its progress until it is Ready.</p>
        <ActionForm
          id="register-template"
          title="Register template"
          submit="Register template"
          action={registerTemplateFromForm}
          fields={[
            { name: "name", label: "Name", placeholder: "debian-12" },
            { name: "url", label: "Image URL", type: "url", placeholder: "https://cloud.debian.org/…/debian-12-generic-amd64.qcow2" },
            { name: "sha256", label: "sha256 (optional)", hint: "The published checksum; without it Carve records the one it computes." },
            { name: "minDiskGiB", label: "Minimum disk (GiB)", type: "number", defaultValue: "1" },
            { name: "description", label: "Description (optional)" },
            { name: "loginUser", label: "Login user", defaultValue: "root", hint: "The account people SSH in as: VMs show ssh <login user>@<address>." },
            { name: "supportsCloudInit", label: "Supports cloud-init", type: "checkbox" },
            { name: "supportsPasswordReset", label: "Supports password reset (qemu-guest-agent)", type: "checkbox" },
          ]}
        />
      </section>
      {templates.length > 0 && (
        <section className="panel form-panel" aria-labelledby="update-template-heading">
          <h2 id="update-template-heading">Change a template</h2>
          <p className="muted">The image stays; every VM made from the template shows the new connect line at once.</p>
          <ActionForm
            id="update-template"
            title="Change template"
            submit="Save template"
            action={updateTemplateFromForm}
            fields={[
              { name: "template", label: "Template", type: "select", options: templates.map((t) => ({ value: t.name, label: t.name })) },
              { name: "loginUser", label: "Login user", placeholder: "debian", hint: "Left empty: unchanged." },
              { name: "description", label: "Description", hint: "Left empty: unchanged." },
            ]}
          />
        </section>
      )}
    </>
  );
}
