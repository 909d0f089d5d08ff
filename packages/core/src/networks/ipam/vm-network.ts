import type { Db, Tx } from "@carve/db";

/**
 * The network a new VM's NIC goes on: its offering's, else the default network; null when there is
 * neither (the VM gets no NIC from Carve, as before networks were records).
 */
export async function vmNetworkFor(db: Db | Tx, offering: { networkId: string | null }): Promise<{ id: string; name: string } | null> {
  const select = { id: true, name: true } as const;
  if (offering.networkId) return db.network.findUnique({ where: { id: offering.networkId }, select });
  return db.network.findFirst({ where: { isDefault: true }, select, orderBy: { createdAt: "asc" } });
}
