import type { Db, Network, Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";

/** A network by name or id, or NETWORK_NOT_FOUND naming the field. */
export async function findNetwork(db: Db | Tx, ref: string, field = "network"): Promise<Network> {
  const network = await db.network.findFirst({ where: isUuid(ref) ? { OR: [{ id: ref }, { name: ref }] } : { name: ref } });
  if (!network) {
    throw new CarveError("NETWORK_NOT_FOUND", `No network '${ref}'. See the networks with 'carve network list'.`, {
      fields: [{ field, message: `'${ref}' is not a network` }],
    });
  }
  return network;
}

/** Holds the network's row lock to the end of the transaction: creates allocating on it wait, and so do other changes. */
export async function lockNetworkRow(tx: Tx, id: string): Promise<void> {
  await tx.$executeRaw`SELECT id FROM "Network" WHERE id = ${id}::uuid FOR UPDATE`;
}
