import type { TJobPayload } from "@carve/protocol";
import { CarveError } from "../../errors/index.ts";
import type { TMovingVm } from "./move-targets.ts";

/**
 * The vm.define payload that defines a stopped VM on another host from its volumes: each in its
 * pool as `poolOf` says (a cold move with local disks names the target pool of the copies), the
 * root overlay rebased onto `rebaseOnto` when it was copied from another host.
 */
export function definePayload(
  vm: TMovingVm,
  poolOf: (volume: TMovingVm["volumes"][number]) => string = (v) => v.pool.libvirtName,
  rebaseOnto?: { pool: string; name: string; format: "qcow2" | "raw" },
): TJobPayload<"vm.define"> {
  const root = vm.volumes.find((v) => v.kind === "Root");
  if (!root) throw new CarveError("INVALID_STATE", `VM ${vm.name} has no root disk on record; it cannot be defined on another host.`);
  return {
    vmId: vm.id,
    title: vm.title,
    vcpus: vm.vcpus,
    memoryMiB: vm.memoryMiB,
    rootVolume: { volumeId: root.id, pool: poolOf(root), name: root.libvirtName, format: "qcow2", ...(rebaseOnto ? { rebaseOnto } : {}) },
    dataVolumes: vm.volumes
      .filter((v) => v.kind === "Data" && v.deviceIndex !== null)
      .map((v) => ({ volumeId: v.id, pool: poolOf(v), name: v.libvirtName, deviceIndex: v.deviceIndex ?? 1 })),
    // Same MACs and addresses on the target: its agent adds their DHCP/DNS entries there.
    ...(vm.nics && vm.nics.length > 0 ? { nics: vm.nics } : {}),
    // Its NICs refer to its security groups' filter: the target defines it before the domain.
    ...(vm.filter ? { filter: vm.filter } : {}),
  };
}
