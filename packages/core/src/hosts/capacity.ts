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
  const permille = BigInt(Math.round(threshold * 1000));
  return Prisma.sql`${pool}."reservedBytes" + ${gibBytes(diskGiB)} <= ${pool}."capacityBytes" * ${permille} / 1000`;
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
       AND state = 'Up'
       AND "capacityBytes" > 0
       AND ${poolHasRoom(Prisma.raw('"StoragePool"'), diskGiB, threshold)}`;
  return reserved === 1;
}

export async function releasePoolBytes(tx: Tx, poolId: string, sizeGiB: number): Promise<void> {
  await tx.$executeRaw`
    UPDATE "StoragePool" SET "reservedBytes" = GREATEST("reservedBytes" - ${gibBytes(sizeGiB)}, 0) WHERE id = ${poolId}::uuid`;
}

export type TReservationTarget = { hostId: string; poolId: string };
export type TReservationNeed = { vcpus: number; memoryMiB: number; diskGiB: number; poolThreshold: number };

/**
 * The conditional reservation as two CTEs for one statement: `host` (the VM's vCPUs and memory, a
 * row when the host could take them) and `pool` (its disk, charged only when the host was, a row
 * when the pool could take it too). A statement that goes on from `pool` does its work only when
 * both fitted; when only the host did, the caller gives the host's share back (releaseHostCapacity).
 * `onlyIf`: a further condition for reserving at all (a create's name still free).
 */
export function reservationCtes(target: TReservationTarget, need: TReservationNeed, onlyIf: Prisma.Sql = Prisma.sql`TRUE`): Prisma.Sql {
  return Prisma.sql`
    host AS (
      UPDATE "Host"
         SET "vcpusAllocated" = "vcpusAllocated" + ${need.vcpus},
             "memMiBAllocated" = "memMiBAllocated" + ${need.memoryMiB}
       WHERE id = ${target.hostId}::uuid
         AND ${onlyIf}
         AND state = 'Up'
         AND "vcpusAllocated" + ${need.vcpus} <= floor(cpus * "cpuOvercommit")
         AND "memMiBAllocated" + ${need.memoryMiB} <= floor("memoryMiB" * "memOvercommit")
      RETURNING id
    ), pool AS (
      UPDATE "StoragePool"
         SET "reservedBytes" = "reservedBytes" + ${gibBytes(need.diskGiB)}
       WHERE id = ${target.poolId}::uuid
         AND EXISTS (SELECT 1 FROM host)
         AND state = 'Up'
         AND "capacityBytes" > 0
         AND ${poolHasRoom(Prisma.raw('"StoragePool"'), need.diskGiB, need.poolThreshold)}
      RETURNING id
    )`;
}

/**
 * Reserves a VM's vCPUs and memory on a host and its disk in a pool in ONE statement (see
 * reservationCtes): both UPDATEs are conditional, so racing creates never overcommit either. When
 * the host fitted but the pool no longer did, the host's share is given back in a second statement.
 */
export async function reserveHostAndPool(tx: Tx, target: TReservationTarget, need: TReservationNeed): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ host: boolean; pool: boolean }[]>`
    WITH ${reservationCtes(target, need)}
    SELECT EXISTS (SELECT 1 FROM host) AS host, EXISTS (SELECT 1 FROM pool) AS pool`;
  if (row?.pool) return true;
  if (row?.host) await releaseHostCapacity(tx, target.hostId, need.vcpus, need.memoryMiB);
  return false;
}
