import type { ServiceOffering } from "@carve/db";
import type { TPlacementSettings } from "../settings/placement-settings.ts";
import type { TPlacementRequest } from "./place-vm.ts";

/** What an offering asks of placement, with the settings in force and the network the VM's NIC is on. */
export function placementRequest(
  offering: Pick<ServiceOffering, "vcpus" | "memoryMiB" | "hostTags" | "storageTags" | "rootScope">,
  diskGiB: number,
  settings: TPlacementSettings,
  network: { id: string; name: string } | null = null,
): TPlacementRequest {
  return {
    network,
    vcpus: offering.vcpus,
    memoryMiB: offering.memoryMiB,
    diskGiB,
    hostTags: offering.hostTags,
    storageTags: offering.storageTags,
    scope: offering.rootScope,
    policy: settings.policy,
    poolThreshold: settings.poolThreshold,
  };
}
