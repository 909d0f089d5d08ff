import type { Tx } from "@carve/db";
import type { TMoveRecord } from "../../jobs/job-request.ts";
import { CarveError } from "../../errors/index.ts";
import { releaseHostCapacity, releasePoolBytes, reserveHostAndPool } from "../../hosts/capacity.ts";
import { loadPlacementHosts } from "../../placement/host-snapshot.ts";
import { readPlacementSettings } from "../../settings/placement-settings.ts";
import { explainNoTarget, findMoveTargets, type TMoveChoice, type TMovingVm } from "./move-targets.ts";

/** A target host reserved for a VM's move: the host as a migration needs it and the pool charged. */
export interface TReservedTarget {
  choice: TMoveChoice;
  host: { id: string; name: string; migrationUri: string | null; migrationAddress: string | null; consoleLogDir: string | null };
  pool: { id: string; name: string; libvirtName: string };
}

/**
 * Picks the VM's new host and reserves its vCPUs, memory and (for local disks) pool bytes there,
 * with the same conditional statement a create uses: candidates in placement's order, the next on
 * a race. `onlyHostId` restricts it to the host an admin named. NO_CAPACITY names every host and
 * why it cannot take the VM.
 */
export async function reserveMoveTarget(tx: Tx, vm: TMovingVm, options: { live: boolean; onlyHostId?: string | undefined; requireTemplate?: boolean | undefined }): Promise<TReservedTarget> {
  const settings = await readPlacementSettings(tx);
  const hosts = await loadPlacementHosts(tx, vm.templateId);
  const details = await tx.host.findMany({
    where: { id: { in: hosts.map((h) => h.id) } },
    select: { id: true, name: true, migrationUri: true, migrationAddress: true, consoleLogDir: true },
  });
  const migrationUris = new Map(details.map((h) => [h.id, h.migrationUri]));
  const { candidates, rejections } = findMoveTargets(vm, hosts, settings, { ...options, migrationUris });
  for (const choice of candidates) {
    const reserved = await reserveHostAndPool(
      tx,
      { hostId: choice.host.id, poolId: choice.pool.id },
      { vcpus: vm.vcpus, memoryMiB: vm.memoryMiB, diskGiB: choice.localGiB, poolThreshold: settings.poolThreshold },
    );
    if (!reserved) continue;
    const host = details.find((h) => h.id === choice.host.id);
    const pool = await tx.storagePool.findUniqueOrThrow({ where: { id: choice.pool.id }, select: { id: true, name: true, libvirtName: true } });
    if (!host) continue;
    return { choice, host, pool };
  }
  const racing = candidates.length > 0 ? ` (${candidates.map((c) => c.host.name).join(", ")} filled up meanwhile)` : "";
  throw new CarveError("NO_CAPACITY", `${explainNoTarget(vm, rejections)}${racing} Free capacity on another host, or add one.`);
}

/** The move's record for its Job row. */
export function moveRecord(vm: TMovingVm, target: TReservedTarget): TMoveRecord {
  return {
    sourceHostId: vm.hostId ?? "",
    targetHostId: target.host.id,
    targetPoolId: target.pool.id,
    localGiB: target.choice.localGiB,
    volumes: target.choice.localVolumes.map((v) => ({ id: v.id, fromPoolId: v.pool.id, sizeGiB: v.sizeGiB })),
  };
}

/** Gives back what a move reserved on its target (it failed, or was abandoned). */
export async function releaseMoveTarget(tx: Tx, record: TMoveRecord, vm: { vcpus: number; memoryMiB: number }): Promise<void> {
  await releaseHostCapacity(tx, record.targetHostId, vm.vcpus, vm.memoryMiB);
  if (record.localGiB > 0) await releasePoolBytes(tx, record.targetPoolId, record.localGiB);
}

/** The VM now lives on its target: the source's share is given back and local volumes change pool. */
export async function completeMove(tx: Tx, record: TMoveRecord, vm: { id: string; vcpus: number; memoryMiB: number }, diskPaths: { volumeId: string; path: string }[]): Promise<void> {
  await tx.vm.update({ where: { id: vm.id }, data: { hostId: record.targetHostId } });
  await releaseHostCapacity(tx, record.sourceHostId, vm.vcpus, vm.memoryMiB);
  for (const volume of record.volumes) {
    const path = diskPaths.find((d) => d.volumeId === volume.id)?.path;
    await tx.volume.update({ where: { id: volume.id }, data: { poolId: record.targetPoolId, ...(path ? { path } : {}) } });
    await releasePoolBytes(tx, volume.fromPoolId, volume.sizeGiB);
  }
}
