import { open } from "node:fs/promises";
import { domainName } from "@carve/protocol";
import { JobRefusedError } from "../jobs/job-errors.ts";
import { watchCancel } from "../storage-migration/cancel-watch.ts";
import { sendVolume } from "../storage-migration/sender.ts";
import { mib } from "../storage-migration/wire.ts";
import type { THandlerContext, TJobHandler } from "./context.ts";

/**
 * volume.migrate (source half of a storage migration): streams the volume's file straight to the
 * destination agent (one-time token, bandwidth cap, progress in bytes), and deletes the source
 * only once the destination confirmed a copy with the same sha256. Any failure (the destination
 * went away, cancel, checksum) leaves the source untouched and authoritative.
 */
export const volumeMigrate: TJobHandler<"volume.migrate"> = async (payload, ctx) => {
  const { pool, name } = payload.source;
  const path = await ctx.hypervisor.volumePath(pool, name);
  if (!path) {
    throw new JobRefusedError(`volume ${name} is not in pool ${pool} on this host, so there is nothing to migrate; refresh the pool ('carve pool list') and check where the volume is`);
  }
  const token = ctx.openSecret(payload.token);
  const cancel = watchCancel(() => ctx.cancelRequested());
  const to = `${payload.destination.hostName} (${payload.destination.address})`;
  await ctx.reportProgress({ percent: 0, step: `connecting to ${to}` });
  let sent;
  try {
    sent = await sendVolume(
      { volumeId: payload.volumeId, path, address: payload.destination.address, token, bandwidthMiBps: payload.bandwidthMiBps, connectTimeoutMs: payload.connectTimeoutSec * 1000 },
      (p) => void ctx.reportProgress({ percent: p.total > 0 ? Math.min(99, (p.sent / p.total) * 100) : 99, step: `copied ${mib(p.sent)} of ${mib(p.total)} MiB to ${payload.destination.hostName} at ${p.mibPerSec.toFixed(1)} MiB/s` }).catch(() => undefined),
      cancel.signal,
    );
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    // The receiver may have seen the cancel first and closed the stream: ask once more.
    const cancelled = cancel.signal.aborted || (await ctx.cancelRequested().catch(() => false));
    // Core words the user's message (Carve's names, what to do); this says what happened here.
    throw new JobRefusedError(cancelled ? "cancelled on request before the copy was verified; the source copy was kept" : `the stream to ${to} broke (${why}); the source copy was kept`);
  } finally {
    cancel.stop();
  }
  if (payload.disk) {
    await ctx.reportProgress({ percent: 99, step: "verified on the destination; pointing the VM's disk at the copy" });
    await repointDisk(ctx, payload.disk, path, sent.path);
  }
  // A VM moving host keeps its source until it is defined on the target (core deletes it then).
  if (!payload.keepSource) await ctx.reportProgress({ percent: 99, step: "verified on the destination; deleting the source copy" });
  const sourceDeleted = payload.keepSource ? false : await deleteSource(ctx, pool, name);
  ctx.log.info({ volumeId: payload.volumeId, bytes: sent.bytes, durationMs: sent.durationMs }, "volume migrated");
  return { volumeId: payload.volumeId, path: sent.path, bytes: sent.bytes, sha256: sent.sha256, durationMs: sent.durationMs, sourceDeleted };
};

/**
 * Deletes the source once the copy is verified (and a VM's disk points at it): a failure here must
 * not fail the move, which has happened; the source is reported kept (`sourceDeleted: false`) and
 * core deletes it later (issue 19).
 */
async function deleteSource(ctx: THandlerContext, pool: string, name: string): Promise<boolean> {
  try {
    return await ctx.hypervisor.deleteVolume(pool, name);
  } catch (error) {
    ctx.log.warn({ pool, volume: name, err: error }, "the verified move's source could not be deleted; core deletes it later");
    return false;
  }
}

/**
 * Points a stopped VM's disk at the verified copy (detach, attach at the same target). When that
 * fails the old disk is put back, so the VM keeps booting from the source, which is kept.
 */
async function repointDisk(ctx: THandlerContext, disk: { vmId: string; target: string }, oldPath: string, newPath: string): Promise<void> {
  const domain = domainName(disk.vmId);
  const status = await ctx.hypervisor.getDomain(domain);
  if (!status || status.state !== "stopped") {
    throw new JobRefusedError(`VM ${disk.vmId} is ${status ? status.state : "not defined"} on this host, so its disk cannot be moved; the source copy was kept`);
  }
  const format = await imageFormat(newPath);
  await ctx.hypervisor.detachDisk(domain, disk.target);
  try {
    await ctx.hypervisor.attachDisk(domain, { path: newPath, format, target: disk.target });
  } catch (error) {
    await ctx.hypervisor.attachDisk(domain, { path: oldPath, format, target: disk.target }).catch(() => undefined);
    throw new JobRefusedError(`could not point VM ${disk.vmId}'s disk ${disk.target} at the copy (${error instanceof Error ? error.message : String(error)}); the source copy was kept`);
  }
}

/** qcow2 when the file starts with QEMU's magic, raw otherwise: the copy is byte-for-byte the source. */
async function imageFormat(path: string): Promise<"qcow2" | "raw"> {
  const file = await open(path, "r");
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.toString("latin1") === "QFI\xfb" ? "qcow2" : "raw";
  } finally {
    await file.close();
  }
}
