import { Prisma } from "@carve/db";
import { poolHasRoom } from "../hosts/capacity.ts";

/**
 * Placement's pool rules as SQL on the StoragePool alias `p`: Up, has reported a non-zero capacity,
 * the scope (null: any) and storage tags asked for, and room for `diskGiB` below the threshold.
 * Root disks (rank-candidates.ts) and data disks (rank-data-pools.ts) are placed by the same words.
 */
export function poolTakes(p: Prisma.Sql, r: { scope: "Local" | "Shared" | null; storageTags: string[]; diskGiB: number; poolThreshold: number }): Prisma.Sql {
  const scope = r.scope === null ? Prisma.sql`TRUE` : Prisma.sql`${p}.scope = ${r.scope}::"PoolScope"`;
  return Prisma.sql`${p}.state = 'Up'
       AND ${p}."capacityReportedAt" IS NOT NULL
       AND ${p}."capacityBytes" > 0
       AND ${scope}
       AND ${p}.tags @> ${r.storageTags}::text[]
       AND ${poolHasRoom(p, r.diskGiB, r.poolThreshold)}`;
}
