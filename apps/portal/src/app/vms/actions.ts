"use server";

import { createVm, destroyVm, rebootVm, resetVmPassword, revealVmPassword, startVm, stopVm } from "@carve/core";
import { redirect } from "next/navigation";
import { failure, SUCCEEDED, type TActionResult } from "../../server/action-result.ts";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";

const ACTIONS = { start: startVm, stop: stopVm, reboot: rebootVm, destroy: destroyVm };
export type TPageVmAction = keyof typeof ACTIONS;

export type { TActionResult };

/** Start, stop, reboot or destroy from the VM list or detail page (Next checks the Origin of every server action). */
export async function vmAction(vmId: string, action: TPageVmAction): Promise<TActionResult> {
  const actor = await pageActor();
  if (!(action in ACTIONS)) return { code: "INVALID_INPUT", message: `Unknown action ${action}.`, fields: [] };
  try {
    await ACTIONS[action](portalCore(), actor, { vm: vmId });
    return SUCCEEDED;
  } catch (error) {
    return failure(error);
  }
}

/** The Create VM form: core validates; on success the VM list shows it coming up. */
export async function createVmFromForm(_previous: TActionResult, form: FormData): Promise<TActionResult> {
  const actor = await pageActor();
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  try {
    await createVm(portalCore(), actor, { name: text("name"), template: text("template"), offering: text("offering"), description: text("description") });
  } catch (error) {
    return failure(error);
  }
  redirect("/vms");
}

/** Sets a new generated password for the VM's root user; the result names the reveal to poll, never the password. */
export async function resetPasswordAction(vmId: string): Promise<TActionResult & { revealId: string | null }> {
  const actor = await pageActor();
  try {
    const { revealId } = await resetVmPassword(portalCore(), actor, { vm: vmId });
    return { ...SUCCEEDED, revealId };
  } catch (error) {
    return { ...failure(error), revealId: null };
  }
}

/**
 * The reset password, once its job has succeeded (PASSWORD_NOT_READY until then). Core deletes it
 * as it is read: it is in this one response and never in a URL, a cookie or a log.
 */
export async function revealPasswordAction(revealId: string): Promise<TActionResult & { user: string | null; password: string | null }> {
  const actor = await pageActor();
  try {
    const { user, password } = await revealVmPassword(portalCore(), actor, { revealId });
    return { ...SUCCEEDED, user, password };
  } catch (error) {
    return { ...failure(error), user: null, password: null };
  }
}
