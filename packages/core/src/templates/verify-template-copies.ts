import type { Tx } from "@carve/db";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";

/**
 * Checks a host's report of its pools against the template copies Carve counts on there (inside
 * the reconciliation's transaction): a Ready copy whose volume the pool no longer lists (its storage
 * was swapped out or wiped), or whose reported capacity is not its template's (another file under
 * its name), becomes Missing, with an event, so placement stops sending creates to a base image
 * that is not there and the next create or `template copy` copies it again. Copies made after the
 * report was taken (`since`) are not judged by it. Returns how many went Missing.
 */
export async function verifyTemplateCopies(tx: Tx, host: { id: string; name: string }, pools: { name: string; volumes: string[]; sizes?: Record<string, number> | undefined }[], since: Date): Promise<number> {
  const reported = new Map(pools.map((p) => [p.name, new Set(p.volumes)]));
  const sizes = new Map(pools.map((p) => [p.name, p.sizes]));
  const copies = await tx.templateCopy.findMany({
    where: { state: "Ready", pool: { libvirtName: { in: [...reported.keys()] }, state: { notIn: ["Removed", "Maintenance"] }, hosts: { some: { hostId: host.id } } } },
    select: { templateId: true, poolId: true, volumeName: true, jobId: true, createdAt: true, pool: { select: { name: true, libvirtName: true } }, template: { select: { name: true, virtualSizeBytes: true } } },
  });
  const jobIds = copies.flatMap((c) => (c.jobId ? [c.jobId] : []));
  const finished = new Map((await tx.job.findMany({ where: { id: { in: jobIds } }, select: { id: true, finishedAt: true } })).map((j) => [j.id, j.finishedAt]));
  let missing = 0;
  for (const copy of copies) {
    const wrong = wrongSize(copy.template.virtualSizeBytes, sizes.get(copy.pool.libvirtName)?.[copy.volumeName]);
    if (reported.get(copy.pool.libvirtName)?.has(copy.volumeName) && wrong === null) continue;
    const madeAt = copy.jobId ? finished.get(copy.jobId) : copy.createdAt;
    if (!madeAt || madeAt >= since) continue;
    const what = wrong ? `reports volume ${copy.volumeName} in pool ${copy.pool.name} ${wrong}` : `reports no volume ${copy.volumeName} in pool ${copy.pool.name} (was its storage replaced?)`;
    const reason = `host ${host.name} ${what}; the next create there copies it again, or run 'carve template copy ${copy.template.name} --pool ${copy.pool.name}'`;
    const changed = await tx.templateCopy.updateMany({ where: { templateId: copy.templateId, poolId: copy.poolId, state: "Ready" }, data: { state: "Missing", stateReason: reason, progress: 0 } });
    if (changed.count === 0) continue;
    await recordEvent(tx, { type: "template.copy", actor: SYSTEM_ACTOR, hostId: host.id, fromState: "Ready", toState: "Missing", message: `template ${copy.template.name}'s copy in pool ${copy.pool.name} is Missing: ${reason}` });
    missing += 1;
  }
  return missing;
}

/**
 * Why a reported capacity is not the template's (null when it is, or when either is unknown: an
 * older agent reports none, and a template registered from an existing volume records none). The
 * copy is the image byte for byte, so its capacity is exactly the template's virtual size.
 */
function wrongSize(expected: bigint, reported: number | undefined): string | null {
  if (reported === undefined || expected <= 0n || BigInt(reported) === expected) return null;
  return `with ${reported} bytes, not the template's ${expected} (was another file put in its place?)`;
}
