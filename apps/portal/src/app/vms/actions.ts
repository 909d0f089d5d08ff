"use server";

import { createVm, destroyVm, rebootVm, startVm, stopVm, toCarveError, type TFieldError } from "@carve/core";
import { redirect } from "next/navigation";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";

const ACTIONS = { start: startVm, stop: stopVm, reboot: rebootVm, destroy: destroyVm };
export type TPageVmAction = keyof typeof ACTIONS;

/** Failures the form shows: the message, each field's error next to its field, and the code. */
export interface TActionResult {
  code: string | null;
  message: string | null;
  fields: TFieldError[];
}

function failure(error: unknown): TActionResult {
  const carveError = toCarveError(error);
  if (!carveError.expected) portalCore().log.error({ err: error }, "portal action failed");
  return { code: carveError.code, message: carveError.message, fields: carveError.fields };
}

/** Start, stop, reboot or destroy from the VM list or detail page (Next checks the Origin of every server action). */
export async function vmAction(vmId: string, action: TPageVmAction): Promise<TActionResult> {
  const actor = await pageActor();
  if (!(action in ACTIONS)) return { code: "INVALID_INPUT", message: `Unknown action ${action}.`, fields: [] };
  try {
    await ACTIONS[action](portalCore(), actor, { vm: vmId });
    return { code: null, message: null, fields: [] };
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
