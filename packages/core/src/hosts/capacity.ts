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

/**
 * Reserves a VM's vCPUs and memory on a host and its disk in a pool in ONE statement (the create's
 * hot path): the pool is only charged when the host could be, and both UPDATEs are conditional, so
 * racing creates never overcommit either. When the host fitted but the pool no longer did, the
 * host's share is given back in a second statement.
 */
export async function reserveHostAndPool(
  tx: Tx,
  target: { hostId: string; poolId: string },
  need: { vcpus: number; memoryMiB: number; diskGiB: number; poolThreshold: number },
): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ host: boolean; pool: boolean }[]>`
    WITH host AS (
      UPDATE "Host"
         SET "vcpusAllocated" = "vcpusAllocated" + ${need.vcpus},
             "memMiBAllocated" = "memMiBAllocated" + ${need.memoryMiB}
       WHERE id = ${target.hostId}::uuid
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
    )
    SELECT EXISTS (SELECT 1 FROM host) AS host, EXISTS (SELECT 1 FROM pool) AS pool`;
  if (row?.pool) return true;
  if (row?.host) await releaseHostCapacity(tx, target.hostId, need.vcpus, need.memoryMiB);
  return false;
}
