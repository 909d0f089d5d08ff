import { Prisma, type Tx } from "@carve/db";

export async function releaseHostCapacity(tx: Tx, hostId: string, vcpus: number, memoryMiB: number): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Host"
       SET "vcpusAllocated" = GREATEST("vcpusAllocated" - ${vcpus}, 0),
           "memMiBAllocated" = GREATEST("memMiBAllocated" - ${memoryMiB}, 0)
     WHERE id = ${hostId}::uuid`;
}

const GIB = 1024n ** 3n;

/** Bytes of `sizeGiB` GiB. */
export function gibBytes(sizeGiB: number): bigint {
  return BigInt(sizeGiB) * GIB;
}

/**
 * The one rule for a pool's room, as SQL on `pool` (a table name or alias): `diskGiB` more still
 * fits below `threshold` of the capacity it reported. Ranking and reserving both use it.
 */
export function poolHasRoom(pool: Prisma.Sql, diskGiB: number, threshold: number): Prisma.Sql {
  return poolRoomRule(pool, Prisma.sql`${gibBytes(diskGiB)}`, Prisma.sql`${thresholdPermille(threshold)}`);
}

/** poolHasRoom with SQL for the bytes and the threshold (in permille): for statements that sum them per pool. */
function poolRoomRule(pool: Prisma.Sql, bytes: Prisma.Sql, permille: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${pool}."reservedBytes" + ${bytes} <= ${pool}."capacityBytes" * ${permille} / 1000`;
}

/** Whether a pool (SQL, as in poolRoomRule) may be charged `bytes` more: Up, its capacity reported, room below the threshold. */
export function poolCanReserve(pool: Prisma.Sql, bytes: Prisma.Sql, permille: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${pool}.state = 'Up' AND ${pool}."capacityBytes" > 0 AND ${poolRoomRule(pool, bytes, permille)}`;
}

/** poolCanReserve on the "StoragePool" row being updated, for `diskGiB` below `threshold`. */
function storagePoolCanReserve(diskGiB: number, threshold: number): Prisma.Sql {
  return poolCanReserve(Prisma.raw('"StoragePool"'), Prisma.sql`${gibBytes(diskGiB)}`, Prisma.sql`${thresholdPermille(threshold)}`);
}

/** A placement threshold (0–1) in permille, as poolRoomRule counts it. */
export function thresholdPermille(threshold: number): bigint {
  return BigInt(Math.round(threshold * 1000));
}

/**
 * The one rule for a host's room, as SQL on `host` (a table name or alias): it is Up and `vcpus`
 * and `memoryMiB` more stay within its capacity after overcommit.
 */
export function hostHasRoom(host: Prisma.Sql, vcpus: Prisma.Sql, memoryMiB: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${host}.state = 'Up'
         AND ${host}."vcpusAllocated" + ${vcpus} <= floor(${host}.cpus * ${host}."cpuOvercommit")
         AND ${host}."memMiBAllocated" + ${memoryMiB} <= floor(${host}."memoryMiB" * ${host}."memOvercommit")`;
}

/**
 * Reserves `diskGiB` in a pool that is Up, has reported its capacity and still has room below
 * `threshold` (the same rule as placement), in one conditional statement. False when it did not fit.
 */
export async function reservePoolBytes(tx: Tx, poolId: string, diskGiB: number, threshold: number): Promise<boolean> {
  const reserved = await tx.$executeRaw`
    UPDATE "StoragePool"
       SET "reservedBytes" = "reservedBytes" + ${gibBytes(diskGiB)}
     WHERE id = ${poolId}::uuid
       AND ${storagePoolCanReserve(diskGiB, threshold)}`;
  return reserved === 1;
}

export async function releasePoolBytes(tx: Tx, poolId: string, sizeGiB: number): Promise<void> {
  await tx.$executeRaw`
    UPDATE "StoragePool" SET "reservedBytes" = GREATEST("reservedBytes" - ${gibBytes(sizeGiB)}, 0) WHERE id = ${poolId}::uuid`;
}

export type TReservationTarget = { hostId: string; poolId: string };
export type TReservationNeed = { vcpus: number; memoryMiB: number; diskGiB: number; poolThreshold: number };

/**
 * Reserves a VM's vCPUs and memory on a host and its disk in a pool in ONE statement: both UPDATEs
 * are conditional (hostHasRoom, poolCanReserve), and the pool is charged only when the host was, so
 * racing creates never overcommit either. When the host fitted but the pool no longer did, the
 * host's share is given back in a second statement.
 */
export async function reserveHostAndPool(tx: Tx, target: TReservationTarget, need: TReservationNeed): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ host: boolean; pool: boolean }[]>`
    WITH host AS (
      UPDATE "Host"
         SET "vcpusAllocated" = "vcpusAllocated" + ${need.vcpus},
             "memMiBAllocated" = "memMiBAllocated" + ${need.memoryMiB}
       WHERE id = ${target.hostId}::uuid
         AND ${hostHasRoom(Prisma.raw('"Host"'), Prisma.sql`${need.vcpus}`, Prisma.sql`${need.memoryMiB}`)}
      RETURNING id
    ), pool AS (
      UPDATE "StoragePool"
         SET "reservedBytes" = "reservedBytes" + ${gibBytes(need.diskGiB)}
       WHERE id = ${target.poolId}::uuid
         AND EXISTS (SELECT 1 FROM host)
         AND ${storagePoolCanReserve(need.diskGiB, need.poolThreshold)}
      RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM host) AS host, EXISTS (SELECT 1 FROM pool) AS pool`;
  if (row?.pool) return true;
  if (row?.host) await releaseHostCapacity(tx, target.hostId, need.vcpus, need.memoryMiB);
  return false;
}
