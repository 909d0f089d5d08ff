"use server";

import { createDiskOffering, createOffering, deleteDiskOffering, deleteOffering, describeDiskSize } from "@carve/core";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { list, num, text } from "../../../server/form-fields.ts";
import { runForm, type TFormResult } from "../../../server/form-result.ts";

/** Create a service offering (vCPUs, memory, root disk). */
export async function createOfferingFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/offerings", async () => {
    const offering = await createOffering(portalCore(), actor, {
      name: text(form, "name"),
      description: text(form, "description"),
      vcpus: num(form, "vcpus"),
      memoryMiB: num(form, "memoryMiB"),
      rootDiskGiB: num(form, "rootDiskGiB"),
      network: text(form, "network"),
    });
    return { notice: `Offering ${offering.name} created${offering.network ? ` on network ${offering.network.name}` : ""}.` };
  });
}

/**
 * Deletes an offering, or with `retire` deactivates it (no new VM can pick it; VMs using it keep
 * running). Core refuses a plain delete while live VMs use it, naming them.
 */
export async function deleteOfferingAction(offering: string, retire: boolean): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/offerings", async () => {
    const done = await deleteOffering(portalCore(), actor, { offering, retire });
    return { notice: `Offering ${done.name} ${done.outcome}${done.vms.length > 0 ? `; ${done.vms.length} VM(s) keep it: ${done.vms.join(", ")}` : ""}.` };
  });
}

/** Create a disk offering: a fixed size, or a custom size between optional bounds, on local or shared storage. */
export async function createDiskOfferingFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/offerings", async () => {
    const offering = await createDiskOffering(portalCore(), actor, {
      name: text(form, "name"),
      description: text(form, "description"),
      sizeGiB: num(form, "sizeGiB"),
      minSizeGiB: num(form, "minSizeGiB"),
      maxSizeGiB: num(form, "maxSizeGiB"),
      scope: text(form, "scope"),
      storageTags: list(form, "storageTags"),
    });
    return { notice: `Disk offering ${offering.name} created (${describeDiskSize(offering)}, ${offering.scope}).` };
  });
}

/** Deletes a disk offering, or retires it while volumes refer to it. */
export async function deleteDiskOfferingAction(diskOffering: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/offerings", async () => {
    const done = await deleteDiskOffering(portalCore(), actor, { diskOffering });
    return { notice: `Disk offering ${done.name} ${done.outcome}${done.volumes > 0 ? `; ${done.volumes} volume(s) keep it` : ""}.` };
  });
}
