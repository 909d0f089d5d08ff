import { placeVm, poolReason, type TPlacementHost, type TPlacementRequest, type TPlacementResult } from "./place-vm.ts";
import type { TDiskRequest } from "./rank-data-pools.ts";

/**
 * Placement's explanation for a VM with data disks: every host the root disk cannot use (placeVm's
 * reasons), and every other host with the data disk it has no pool for and why each pool refused.
 */
export function explainWithDataDisks(hosts: TPlacementHost[], request: TPlacementRequest, disks: (TDiskRequest & { label: string })[]): TPlacementResult {
  const { candidates, rejections } = placeVm(hosts, request);
  const fitting: TPlacementResult["candidates"] = [];
  for (const host of [...new Map(candidates.map((c) => [c.host.id, c.host])).values()]) {
    const missing = disks.flatMap((disk) => {
      const reasons = host.pools.map((pool) => {
        const why = poolReason({ ...pool, hasTemplate: true }, { ...disk, diskGiB: disk.sizeGiB });
        return why ? `${pool.name} ${why}` : null;
      });
      return reasons.some((r) => r === null) ? [] : [`no pool for data disk ${disk.label} (${reasons.join(", ") || "no storage pools are attached to it"})`];
    });
    if (missing.length > 0) rejections.push({ host: host.name, reason: `has ${missing.join("; ")}` });
    else fitting.push(...candidates.filter((c) => c.host.id === host.id));
  }
  return { candidates: fitting, rejections };
}
