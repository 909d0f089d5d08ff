import type { Prisma, Tx } from "@carve/db";

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

/** What the VMs and volumes of these owners use now (destroyed VMs and deleted volumes not counted). */
export async function quotaUsage(tx: Tx, ownerIds: string[]): Promise<TQuotaAmounts> {
  const live: Prisma.VmWhereInput = { ownerId: { in: ownerIds }, state: { notIn: ["Destroyed"] } };
  const [vms, sized, storage] = await Promise.all([
    tx.vm.count({ where: live }),
    tx.vm.aggregate({ where: { ...live, state: { notIn: ["Destroyed", "Error"] } }, _sum: { vcpus: true, memoryMiB: true } }),
    tx.volume.aggregate({ where: { ownerId: { in: ownerIds }, state: { notIn: ["Deleted", "Error"] } }, _sum: { sizeGiB: true } }),
  ]);
  return { vms, vcpus: sized._sum.vcpus ?? 0, memoryMiB: sized._sum.memoryMiB ?? 0, storageGiB: storage._sum.sizeGiB ?? 0 };
}
