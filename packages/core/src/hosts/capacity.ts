import type { Tx } from "@carve/db";

/**
 * Reserves vCPUs and memory on a host in one conditional UPDATE: concurrent creates can never push
 * a host past its (overcommitted) limits, whatever the isolation level.
 */
export async function reserveHostCapacity(tx: Tx, hostId: string, vcpus: number, memoryMiB: number): Promise<boolean> {
  const updated = await tx.$executeRaw`
    UPDATE "Host"
       SET "vcpusAllocated" = "vcpusAllocated" + ${vcpus},
           "memMiBAllocated" = "memMiBAllocated" + ${memoryMiB}
     WHERE id = ${hostId}::uuid
       AND state = 'Up'
       AND "vcpusAllocated" + ${vcpus} <= floor(cpus * "cpuOvercommit")
       AND "memMiBAllocated" + ${memoryMiB} <= floor("memoryMiB" * "memOvercommit")`;
  return updated === 1;
}

export async function releaseHostCapacity(tx: Tx, hostId: string, vcpus: number, memoryMiB: number): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Host"
       SET "vcpusAllocated" = GREATEST("vcpusAllocated" - ${vcpus}, 0),
           "memMiBAllocated" = GREATEST("memMiBAllocated" - ${memoryMiB}, 0)
     WHERE id = ${hostId}::uuid`;
}

const GIB = 1024n ** 3n;

/**
 * Promises bytes of a pool to a new volume, in one conditional UPDATE, never past `threshold` of
 * the capacity the pool last reported.
 */
export async function reservePoolBytes(tx: Tx, poolId: string, sizeGiB: number, threshold: number): Promise<boolean> {
  const bytes = BigInt(sizeGiB) * GIB;
  const permille = BigInt(Math.round(threshold * 1000));
  const updated = await tx.$executeRaw`
    UPDATE "StoragePool"
       SET "reservedBytes" = "reservedBytes" + ${bytes}
     WHERE id = ${poolId}::uuid
       AND state = 'Up'
       AND "capacityBytes" > 0
       AND "reservedBytes" + ${bytes} <= "capacityBytes" * ${permille} / 1000`;
  return updated === 1;
}

export async function releasePoolBytes(tx: Tx, poolId: string, sizeGiB: number): Promise<void> {
  const bytes = BigInt(sizeGiB) * GIB;
  await tx.$executeRaw`
    UPDATE "StoragePool" SET "reservedBytes" = GREATEST("reservedBytes" - ${bytes}, 0) WHERE id = ${poolId}::uuid`;
}
