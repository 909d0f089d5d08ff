import type { Quota, Tx } from "@carve/db";

export interface TQuotaAmounts {
  vms: number;
  vcpus: number;
  memoryMiB: number;
  storageGiB: number;
}

export const QUOTA_FIELDS = [
  { key: "vms", limit: "maxVms", label: "VMs", unit: "" },
  { key: "vcpus", limit: "maxVcpus", label: "vCPUs", unit: "" },
  { key: "memoryMiB", limit: "maxMemMiB", label: "memory", unit: " MiB" },
  { key: "storageGiB", limit: "maxStorGiB", label: "storage", unit: " GiB" },
] as const;

/** A quota row's limits by amount (null: no limit). */
export function quotaLimits(quota: Pick<Quota, (typeof QUOTA_FIELDS)[number]["limit"]> | null): Record<keyof TQuotaAmounts, number | null> {
  return Object.fromEntries(QUOTA_FIELDS.map((f) => [f.key, quota?.[f.limit] ?? null])) as Record<keyof TQuotaAmounts, number | null>;
}

/** What the VMs and volumes of these owners use now (destroyed VMs and deleted volumes not counted), in one query. */
export async function quotaUsage(tx: Tx, ownerIds: string[]): Promise<TQuotaAmounts> {
  const [row] = await tx.$queryRaw<{ vms: number; vcpus: number; memoryMiB: number; storageGiB: number }[]>`
    SELECT (SELECT count(*)::int FROM "Vm" WHERE "ownerId" = ANY(${ownerIds}::uuid[]) AND state <> 'Destroyed') AS vms,
           v.vcpus, v."memoryMiB",
           (SELECT coalesce(sum("sizeGiB"), 0)::int FROM "Volume" WHERE "ownerId" = ANY(${ownerIds}::uuid[]) AND state NOT IN ('Deleted', 'Error')) AS "storageGiB"
      FROM (SELECT coalesce(sum(vcpus), 0)::int AS vcpus, coalesce(sum("memoryMiB"), 0)::int AS "memoryMiB"
              FROM "Vm" WHERE "ownerId" = ANY(${ownerIds}::uuid[]) AND state NOT IN ('Destroyed', 'Error')) v`;
  return row ?? { vms: 0, vcpus: 0, memoryMiB: 0, storageGiB: 0 };
}
