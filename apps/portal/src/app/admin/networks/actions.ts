"use server";

import { createNetwork, deleteNetwork } from "@carve/core";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { checked, list, text } from "../../../server/form-fields.ts";
import { runForm, type TFormResult } from "../../../server/form-result.ts";

/** Create a network: core checks its addressing (CIDR, range inside it, gateway outside the range, no overlap) and names each field at fault. */
export async function createNetworkFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/networks", async () => {
    const network = await createNetwork(portalCore(), actor, {
      name: text(form, "name"),
      kind: text(form, "kind"),
      mode: text(form, "mode"),
      cidr: text(form, "cidr"),
      gateway: text(form, "gateway"),
      rangeStart: text(form, "rangeStart"),
      rangeEnd: text(form, "rangeEnd"),
      dnsDomain: text(form, "dnsDomain"),
      libvirtName: text(form, "libvirtName"),
      bridge: text(form, "bridge"),
      hosts: list(form, "hosts"),
      isDefault: checked(form, "isDefault"),
      description: text(form, "description"),
    });
    const addresses = network.rangeSize > 0 ? `${network.rangeSize} addresses for VMs` : "no range: the LAN's DHCP gives addresses";
    return { notice: `Network ${network.name} created (${network.kind}, ${network.cidr}, ${addresses})${network.isDefault ? "; it is the default network" : ""}.` };
  });
}

/** Deletes a network; core refuses (HAS_DEPENDENTS) while VMs or offerings use it, naming them. */
export async function deleteNetworkAction(network: string): Promise<TFormResult> {
  const actor = await adminActor();
  return runForm("/admin/networks", async () => {
    const done = await deleteNetwork(portalCore(), actor, { network });
    return { notice: `Network ${done.name} deleted.` };
  });
}
