import type { Tx } from "@carve/db";
import { poolReason } from "../placement/place-vm.ts";
import type { TDiskRequest } from "../placement/rank-data-pools.ts";

/**
 * Why no pool can take a data disk: every pool with placement's reason (or the host state that
 * keeps it out), for NO_CAPACITY messages. Loaded only when placing failed.
 */
export async function explainNoPool(tx: Tx, disk: TDiskRequest, what: string, hostId?: string): Promise<string> {
  const pools = await tx.storagePool.findMany({
    where: { state: { not: "Removed" }, ...(hostId ? { hosts: { some: { hostId } } } : {}) },
    select: {
      id: true, name: true, scope: true, state: true, stateReason: true, tags: true, capacityBytes: true, reservedBytes: true, capacityReportedAt: true,
      hosts: { select: { host: { select: { name: true, state: true } } } },
    }, // prettier-ignore
    orderBy: { name: "asc" },
  });
  const reasons = pools.map((p) => {
    const why = poolReason({ ...p, capacityReported: p.capacityReportedAt !== null, hasTemplate: true }, { ...disk, diskGiB: disk.sizeGiB });
    const upHost = p.hosts.some((h) => h.host.state === "Up");
    return `${p.name} ${why ?? (upHost ? "was filled up by concurrent requests" : `has no Up host (${p.hosts.map((h) => `${h.host.name} is ${h.host.state}`).join(", ") || "none sees it"})`)}`;
  });
  const where = hostId ? " on the VM's host" : "";
  if (reasons.length === 0) return `No storage pool${where} can take ${what}: there are no pools${where}. Ask an admin to add one (carve pool add).`;
  return `No storage pool${where} can take ${what}: ${reasons.join("; ")}. Choose a smaller size or another disk offering, or ask an admin to add storage.`;
}
