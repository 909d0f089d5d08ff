import type { Db, DiskOffering, Tx } from "@carve/db";
import { z } from "zod";
import { CarveError } from "../errors/index.ts";
import { diskSizeOf } from "../offerings/resolve-disk-offering.ts";
import type { TDiskRequest } from "../placement/rank-data-pools.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { way } from "../errors/front-door-ways.ts";

/** One data disk of a new VM: a disk offering (name or id) and, for custom-size offerings, a size. */
export const ZDataDisk = z.strictObject({
  diskOffering: z.string({ error: `is required: choose a disk offering (${way("diskOfferings")})` }).min(1, `is required: choose a disk offering (${way("diskOfferings")})`).max(100),
  sizeGiB: z.number({ error: "must be a whole number of GiB" }).int("must be a whole number of GiB").min(1).max(65536).optional(),
});
export const MAX_DATA_DISKS = 8;

export interface TPlannedDataDisk {
  offering: DiskOffering;
  request: TDiskRequest & { label: string };
}

/**
 * The offerings and sizes of a new VM's data disks, in one query, checked field by field
 * (`dataDisks.N.diskOffering`, `dataDisks.N.sizeGiB`).
 */
export async function planDataDisks(db: Db | Tx, disks: z.output<typeof ZDataDisk>[], poolThreshold: number): Promise<TPlannedDataDisk[]> {
  const refs = [...new Set(disks.map((d) => d.diskOffering))];
  const offerings = await db.diskOffering.findMany({ where: { active: true, OR: [{ name: { in: refs } }, { id: { in: refs.filter(isUuid) } }] } });
  return disks.map((disk, i) => {
    const offering = offerings.find((o) => o.id === disk.diskOffering || o.name === disk.diskOffering);
    if (!offering) {
      throw new CarveError("DISK_OFFERING_NOT_FOUND", `No active disk offering '${disk.diskOffering}' (data disk ${i + 1}). See the available ones with ${way("diskOfferings")}.`, {
        fields: [{ field: `dataDisks.${i}.diskOffering`, message: `'${disk.diskOffering}' does not exist: pick one from ${way("diskOfferings")}` }],
      });
    }
    const sizeGiB = diskSizeOf(offering, disk.sizeGiB, `dataDisks.${i}.sizeGiB`);
    return { offering, request: { sizeGiB, scope: offering.scope, storageTags: offering.storageTags, poolThreshold, label: `${i + 1} (${sizeGiB} GiB ${offering.name})` } };
  });
}
