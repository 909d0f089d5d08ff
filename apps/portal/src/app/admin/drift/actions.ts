"use server";

import { destroyDrift, ignoreDrift } from "@carve/core";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { runForm, type TFormResult } from "../../../server/form-result.ts";

/** Destroys a drifting Carve-named domain on its host (a vm.destroy job); core refuses domains Carve did not make. */
export async function destroyDriftAction(id: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/drift", async () => {
    const job = await destroyDrift(portalCore(), actor, id);
    return { notice: `Destroying it (job ${job.id.slice(0, 8)}).` };
  });
}

/** Leaves a drifting domain alone: it is no longer listed as needing an admin. */
export async function ignoreDriftAction(id: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/drift", async () => {
    const item = await ignoreDrift(portalCore(), actor, id);
    return { notice: `${item.domainName} ignored.` };
  });
}
