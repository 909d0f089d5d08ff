import { placeVm, poolReason, type TPlacementHost, type TPlacementRequest, type TPlacementResult } from "./place-vm.ts";
import type { TDiskRequest } from "./rank-data-pools.ts";

export interface TDataDiskExplanation extends TPlacementResult {
  /** Per data disk, in order: every host that could take the VM but has no pool for that disk, with why; empty when some host has one. */
  diskRefusals: { host: string; reason: string }[][];
}

/**
 * Placement's explanation for a VM with data disks: every host the root disk cannot use (placeVm's
 * reasons), and every other host with the data disk it has no pool for and why each pool refused.
 */
export function explainWithDataDisks(hosts: TPlacementHost[], request: TPlacementRequest, disks: (TDiskRequest & { label: string })[]): TDataDiskExplanation {
  const { candidates, rejections } = placeVm(hosts, request);
  const fitting: TPlacementResult["candidates"] = [];
  const diskRefusals: TDataDiskExplanation["diskRefusals"] = disks.map(() => []);
  for (const host of [...new Map(candidates.map((c) => [c.host.id, c.host])).values()]) {
    const missing = disks.flatMap((disk, i) => {
      const reasons = host.pools.map((pool) => {
        const why = poolReason({ ...pool, hasTemplate: true }, { ...disk, diskGiB: disk.sizeGiB });
        return why ? `${pool.name} ${why}` : null;
      });
      if (reasons.some((r) => r === null)) return [];
      const detail = reasons.join(", ") || "no storage pools are attached to it";
      diskRefusals[i]?.push({ host: host.name, reason: detail });
      return [`no pool for data disk ${disk.label} (${detail})`];
    });
    if (missing.length > 0) rejections.push({ host: host.name, reason: `has ${missing.join("; ")}` });
    else fitting.push(...candidates.filter((c) => c.host.id === host.id));
  }
  // A disk some host has a pool for is not refused, even if that host lacks a pool for another disk.
  return { candidates: fitting, rejections, diskRefusals: diskRefusals.map((refusals) => (refusals.length === new Set(candidates.map((c) => c.host.id)).size ? refusals : [])) };
}
