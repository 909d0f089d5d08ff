import type { Db, ServiceOffering } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { way } from "../errors/front-door-ways.ts";

/** An active service offering by name or id; otherwise an error that says what to do. */
export async function resolveOffering(db: Db, ref: string): Promise<ServiceOffering> {
  const offering = await db.serviceOffering.findFirst({ where: isUuid(ref) ? { id: ref } : { name: ref } });
  if (!offering || !offering.active) {
    throw new CarveError("OFFERING_NOT_FOUND", `No active service offering '${ref}'. See the available ones with ${way("offerings")}.`, {
      fields: [{ field: "offering", message: `'${ref}' does not exist: pick one from ${way("offerings")}` }],
    });
  }
  return offering;
}
