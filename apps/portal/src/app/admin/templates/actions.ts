"use server";

import { deleteTemplate, registerTemplate, updateTemplate } from "@carve/core";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { checked, num, text } from "../../../server/form-fields.ts";
import { runForm, type TFormResult } from "../../../server/form-result.ts";

/** Register template: core checks the URL against the allow-list at once; the controller downloads it. */
export async function registerTemplateFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/templates", async () => {
    const template = await registerTemplate(portalCore(), actor, {
      name: text(form, "name"),
      description: text(form, "description"),
      url: text(form, "url"),
      sha256: text(form, "sha256"),
      minDiskGiB: num(form, "minDiskGiB"),
      supportsCloudInit: checked(form, "supportsCloudInit"),
      supportsPasswordReset: checked(form, "supportsPasswordReset"),
      loginUser: text(form, "loginUser"),
    });
    return { notice: `Template ${template.name} registered; it is ${template.state} (progress shows in the table).` };
  });
}

/** Change template: the login user of the connect line, or the description (empty fields stay as they are). */
export async function updateTemplateFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/templates", async () => {
    const template = await updateTemplate(portalCore(), actor, { template: text(form, "template"), loginUser: text(form, "loginUser"), description: text(form, "description") });
    return { notice: `Template ${template.name} saved: its VMs are reached as ${template.loginUser}.` };
  });
}

/** Deletes a template in any state while no live VM uses it (a download in progress stops). */
export async function deleteTemplateAction(template: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/templates", async () => {
    const done = await deleteTemplate(portalCore(), actor, { template });
    return { notice: `Template ${done.name} deleted.` };
  });
}
