"use server";

import { attachVolume, createVm, openConsole, destroyVm, recreateVm, detachVolume, getVm, planVm, rebootVm, resetVmPassword, revealVmPassword, startVm, stopVm, type TVmPlan } from "@carve/core";
import type { TJobJson, TVmJson } from "../../api/schemas.ts";
import { toJobJson, toVmJson } from "../../api/to-json.ts";
import { failure, SUCCEEDED, type TActionResult } from "../../server/action-result.ts";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";

const ACTIONS = { start: startVm, stop: stopVm, reboot: rebootVm, destroy: destroyVm, recreate: recreateVm };
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

/** What the Create VM form gets back: on success the new VM and its job, whose progress it then shows. */
export type TCreateResult = TActionResult & { vm: TVmJson | null; job: TJobJson | null };

/** The Create VM form's fields as core's input (SSH keys by name; data disks as JSON, see the form). */
function createInput(form: FormData) {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const disks = text("dataDisks");
  return {
    name: text("name"),
    template: text("template"),
    offering: text("offering"),
    description: text("description"),
    sshKeys: form.getAll("sshKeys").filter((k): k is string => typeof k === "string"),
    ...(disks ? { dataDisks: JSON.parse(disks) as unknown } : {}),
  };
}

/** The Create VM form: core validates and places; the answer names the VM and the job to watch. */
export async function createVmFromForm(_previous: TCreateResult, form: FormData): Promise<TCreateResult> {
  const actor = await pageActor();
  try {
    const { vm, job } = await createVm(portalCore(), actor, createInput(form));
    return { ...SUCCEEDED, vm: toVmJson(await getVm(portalCore(), actor, { vm: vm.id })), job: toJobJson(job) };
  } catch (error) {
    return { ...failure(error), vm: null, job: null };
  }
}

/** The dry run the Create VM form shows as its inputs change: where the VM would go, or why it cannot. */
export async function planVmFromForm(form: FormData): Promise<TActionResult & { plan: TVmPlan | null }> {
  const actor = await pageActor();
  try {
    return { ...SUCCEEDED, plan: await planVm(portalCore(), actor, createInput(form)) };
  } catch (error) {
    return { ...failure(error), plan: null };
  }
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

/** Attaches one of the user's detached data volumes to the VM; its job runs like any other. */
export async function attachVolumeAction(vmId: string, volumeId: string): Promise<TActionResult> {
  const actor = await pageActor();
  try {
    await attachVolume(portalCore(), actor, { vm: vmId, volume: volumeId });
    return SUCCEEDED;
  } catch (error) {
    return failure(error);
  }
}

/** Detaches a data volume from its VM; the volume stays, ready to attach again. */
export async function detachVolumeAction(volumeId: string): Promise<TActionResult> {
  const actor = await pageActor();
  try {
    await detachVolume(portalCore(), actor, { volume: volumeId });
    return SUCCEEDED;
  } catch (error) {
    return failure(error);
  }
}

/**
 * A new console link for this browser (the VM page's Console buttons, the console page when it has
 * no link or asks to Reconnect): `path` is the console page with the one-time token in its fragment.
 */
export async function openConsoleAction(vmId: string, kind: "vnc" | "serial"): Promise<TActionResult & { path: string | null }> {
  const actor = await pageActor();
  try {
    return { ...SUCCEEDED, path: (await openConsole(portalCore(), actor, { vm: vmId, kind })).path };
  } catch (error) {
    return { ...failure(error), path: null };
  }
}
