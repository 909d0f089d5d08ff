import type { DriftItem, Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";

/** A drift item by id, locked for the caller's transaction, or DRIFT_NOT_FOUND. */
export async function findDriftForUpdate(tx: Tx, id: string): Promise<DriftItem & { host: { name: string } }> {
  if (isUuid(id)) await tx.$executeRaw`SELECT 1 FROM "DriftItem" WHERE id = ${id}::uuid FOR UPDATE`;
  const item = isUuid(id) ? await tx.driftItem.findUnique({ where: { id }, include: { host: { select: { name: true } } } }) : null;
  if (!item) throw new CarveError("DRIFT_NOT_FOUND", `No drift item ${id}. See the list with 'carve drift list --all'.`);
  return item;
}
