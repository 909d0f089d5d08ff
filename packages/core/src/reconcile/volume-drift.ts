import type { Tx } from "@carve/db";
import { ZDriftRemovePayload } from "@carve/protocol";
import type { TDriftRecord } from "./compare-network-drift.ts";

/** A pool as the host reported it: its libvirt name, its volumes, and (newer agents) their capacities. */
interface TReportedPool {
  name: string;
  volumes: readonly string[];
  sizes?: Record<string, number> | undefined;
}

/** Files Carve itself has in flight: a storage migration's copy before it is verified (volume-migrate-receive). */
const IN_FLIGHT = /\.partial$/;

/** The drift item's name of a file: <pool>/<file>. */
export const volumeDriftName = (pool: string, file: string): string => `${pool}/${file}`;

/** Whether drift.remove may delete the file: only names Carve gives its volumes (carve-<id>.qcow2). */
export function isCarveVolumeName(pool: string, file: string): boolean {
  return ZDriftRemovePayload.safeParse({ kind: "volume", pool, name: file }).success;
}

/**
 * The files in this host's Carve pools that no volume and no template copy owns (issue 19): a disk a
 * move left in its source pool, a volume whose delete failed, anybody's file put there. Files whose
 * name a volume that is busy or changed since the report (`since`) has are not judged this round (a
 * move may be copying it, or its cleanup may be on its way): they are returned in `unjudged`, so an
 * item already open for them stays as it is. Pools Carve does not manage, or removed, are not looked at.
 */
export async function volumeDrift(tx: Tx, host: { id: string; name: string }, reported: readonly TReportedPool[], since: Date): Promise<{ findings: TDriftRecord[]; unjudged: string[] }> {
  const pools = await tx.storagePool.findMany({
    where: { libvirtName: { in: reported.map((p) => p.name) }, state: { not: "Removed" }, hosts: { some: { hostId: host.id } } },
    select: { id: true, name: true, libvirtName: true },
  });
  if (pools.length === 0) return { findings: [], unjudged: [] };
  const poolIds = pools.map((p) => p.id);
  const [volumes, copies] = await Promise.all([
    tx.volume.findMany({ where: { poolId: { in: poolIds }, state: { not: "Deleted" } }, select: { poolId: true, libvirtName: true } }),
    tx.templateCopy.findMany({ where: { poolId: { in: poolIds } }, select: { poolId: true, volumeName: true } }),
  ]);
  const owned = new Set([...volumes.map((v) => `${v.poolId}/${v.libvirtName}`), ...copies.map((c) => `${c.poolId}/${c.volumeName}`)]);
  const unowned = pools.flatMap((pool) => {
    const files = reported.find((p) => p.name === pool.libvirtName);
    return (files?.volumes ?? []).filter((file) => !IN_FLIGHT.test(file) && !owned.has(`${pool.id}/${file}`)).map((file) => ({ pool, file, bytes: files?.sizes?.[file] }));
  });
  if (unowned.length === 0) return { findings: [], unjudged: [] };
  const moving = await tx.volume.findMany({
    where: {
      libvirtName: { in: unowned.map((u) => u.file) },
      OR: [{ activeJobId: { not: null } }, { updatedAt: { gte: since } }, { vm: { activeJobId: { not: null } } }],
    },
    select: { libvirtName: true },
  });
  const busy = new Set(moving.map((v) => v.libvirtName));
  const findings: TDriftRecord[] = [];
  const unjudged: string[] = [];
  for (const { pool, file, bytes } of unowned) {
    const domainName = volumeDriftName(pool.libvirtName, file);
    if (busy.has(file)) {
      unjudged.push(domainName);
      continue;
    }
    const size = bytes === undefined ? "" : ` (${(bytes / 1024 ** 3).toFixed(1)} GiB)`;
    const fix = isCarveVolumeName(pool.libvirtName, file)
      ? "It is named like a Carve disk (left by a move, or a delete that failed): remove it with 'carve drift destroy', or leave it with 'carve drift ignore'."
      : "Carve did not name it, so Carve will not delete it: remove it on the host if nobody needs it, or leave it with 'carve drift ignore'.";
    findings.push({ kind: "Volume", domainName, domainUuid: null, reportedState: "present", vmId: null, pool: pool.libvirtName, note: `pool ${pool.name} on ${host.name} holds ${file}${size}, which no Carve volume or template copy owns. ${fix}` });
  }
  return { findings, unjudged };
}
