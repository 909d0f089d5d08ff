import type { Db, DiskOffering, Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { describeDiskSize } from "./create-disk-offering.ts";
import { way } from "../errors/front-door-ways.ts";

/** An active disk offering by name or id; otherwise an error that says what to do. */
export async function resolveDiskOffering(db: Db | Tx, ref: string, field = "diskOffering"): Promise<DiskOffering> {
  const offering = await db.diskOffering.findFirst({ where: isUuid(ref) ? { id: ref } : { name: ref } });
  if (!offering || !offering.active) {
    throw new CarveError("DISK_OFFERING_NOT_FOUND", `No active disk offering '${ref}'. See the available ones with ${way("diskOfferings")}.`, {
      fields: [{ field, message: `'${ref}' does not exist: pick one from ${way("diskOfferings")}` }],
    });
  }
  return offering;
}

/** The size a disk from this offering gets: the fixed one, or the asked one within the bounds. */
export function diskSizeOf(offering: DiskOffering, sizeGiB: number | undefined, field = "sizeGiB"): number {
  const fail = (message: string) =>
    new CarveError("INVALID_INPUT", `Invalid input. ${field}: ${message}`, { fields: [{ field, message }] });
  if (offering.sizeGiB !== null) {
    if (sizeGiB !== undefined && sizeGiB !== offering.sizeGiB) throw fail(`disk offering ${offering.name} has a fixed size of ${offering.sizeGiB} GiB: leave the size out or pick a custom-size offering`);
    return offering.sizeGiB;
  }
  if (sizeGiB === undefined) throw fail(`disk offering ${offering.name} is custom-size (${describeDiskSize(offering)}): give a size`);
  const min = offering.minSizeGiB ?? 1;
  const max = offering.maxSizeGiB ?? 65536;
  if (sizeGiB < min || sizeGiB > max) throw fail(`must be between ${min} and ${max} GiB for disk offering ${offering.name}`);
  return sizeGiB;
}
