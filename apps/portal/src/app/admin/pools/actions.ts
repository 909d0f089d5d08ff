"use server";

import { addPool, deletePool } from "@carve/core";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { list, text } from "../../../server/form-fields.ts";
import { runForm, type TFormResult } from "../../../server/form-result.ts";

/** Add pool: core registers it and has each chosen host's agent define and start it in libvirt (one host for Local, several for Shared). */
export async function addPoolFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/pools", async () => {
    const pool = await addPool(portalCore(), actor, {
      name: text(form, "name"),
      libvirtName: text(form, "libvirtName"),
      path: text(form, "path"),
      scope: text(form, "scope"),
      kind: text(form, "kind"),
      sourceHost: text(form, "sourceHost"),
      sourcePath: text(form, "sourcePath"),
      hosts: list(form, "hosts"),
      tags: list(form, "tags"),
    });
    return { notice: `Pool ${pool.name} added (${pool.kind}, ${pool.scope}); ${pool.jobs.length} host(s) are defining it in libvirt, and its health and capacity show here once they report.` };
  });
}

/** Deletes a pool; core refuses (HAS_DEPENDENTS) while volumes or template copies are in it, naming them. */
export async function deletePoolAction(pool: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/pools", async () => {
    const done = await deletePool(portalCore(), actor, { pool });
    return { notice: `Pool ${done.name} ${done.outcome}.` };
  });
}
