import { Prisma, type Tx } from "@carve/db";
import { poolTakes } from "./pool-takes.ts";

/** What a data disk asks of a pool (from its disk offering). */
export interface TDiskRequest {
  sizeGiB: number;
  /** null: any scope (suggestions for a volume migration). */
  scope: "Local" | "Shared" | null;
  storageTags: string[];
  poolThreshold: number;
}

export interface TRankedPool {
  poolId: string;
  poolName: string;
  poolLibvirtName: string;
  scope: "Local" | "Shared";
  /** The host owning a Local pool; null for a shared one. */
  ownerHostId: string | null;
}

/**
 * Pools that can take a data disk now, best first: the same pool rules as root disks (`poolTakes`), seen by an Up
 * host (`hostId`: by that host). `prefer` puts pools of that scope first; then the most room left.
 */
export async function rankDataPools(tx: Tx, disk: TDiskRequest, where: { hostId?: string; prefer?: "Local" | "Shared"; limit?: number } = {}): Promise<TRankedPool[]> {
  const host = where.hostId === undefined ? Prisma.sql`TRUE` : Prisma.sql`h.id = ${where.hostId}::uuid`;
  // An expression, never a constant: PostgreSQL refuses ORDER BY TRUE.
  const prefer = Prisma.sql`(p.scope::text = ${where.prefer ?? ""})`;
  const permille = BigInt(Math.round(disk.poolThreshold * 1000));
  return tx.$queryRaw<TRankedPool[]>`
    SELECT p.id::text AS "poolId", p.name AS "poolName", p."libvirtName" AS "poolLibvirtName", p.scope::text AS scope, p."hostId"::text AS "ownerHostId"
      FROM "StoragePool" p
     WHERE ${poolTakes(Prisma.raw("p"), { ...disk, diskGiB: disk.sizeGiB })}
       AND EXISTS (SELECT 1 FROM "PoolHost" ph JOIN "Host" h ON h.id = ph."hostId" WHERE ph."poolId" = p.id AND h.state = 'Up' AND ${host})
     ORDER BY ${prefer} DESC, p."capacityBytes" * ${permille} / 1000 - p."reservedBytes" DESC, p.name ASC
     LIMIT ${where.limit ?? 8}`;
}
