import type { StoragePool, Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";

/**
 * The pool an admin names (name or id) for something new to go there: a template copy, a volume,
 * a volume's move. A name means the live pool of that name (a Removed pool's name may belong to a
 * newer pool); a Removed pool, named by its id or by a name no live pool has any more, is refused
 * with the reason rather than "not found", so the admin learns why (issue 19).
 * @throws CarveError POOL_NOT_FOUND, INVALID_STATE (the pool is Removed)
 */
export async function resolveLivePool(tx: Tx, ref: string, field = "pool"): Promise<StoragePool> {
  const pool = isUuid(ref)
    ? await tx.storagePool.findUnique({ where: { id: ref } })
    : ((await tx.storagePool.findFirst({ where: { name: ref, state: { not: "Removed" } } })) ??
      (await tx.storagePool.findFirst({ where: { name: ref }, orderBy: { updatedAt: "desc" } })));
  if (!pool) {
    throw new CarveError("POOL_NOT_FOUND", `No storage pool '${ref}'. See the pools with 'carve pool list'.`, { fields: [{ field, message: `'${ref}' is not a registered pool` }] });
  }
  if (pool.state === "Removed") {
    throw new CarveError(
      "INVALID_STATE",
      `Storage pool ${pool.name} was removed${pool.stateReason ? ` (${pool.stateReason})` : ""}: nothing new can go there. Choose a pool that is in service ('carve pool list').`,
      { fields: [{ field, message: "is a removed pool" }] },
    );
  }
  return pool;
}
