import { z } from "zod";
import { ZSealed } from "../join.ts";
import { ZDiskDevice, ZId, ZLibvirtName, ZVolumeRef } from "./common.ts";

const ZSizeGiB = z.number().int().min(1).max(65536);
/** An empty (thin, qcow2) data volume; idempotent by volume id: one already there is the volume. */
export const ZVolumeCreatePayload = ZVolumeRef.extend({ sizeGiB: ZSizeGiB });
export const ZVolumeCreateResult = z.object({ volumeId: ZId, path: z.string(), alreadyPresent: z.boolean() });
/** Attaches a volume to a VM's domain: live when it runs (and persistently), in its definition when stopped. */
export const ZVolumeAttachPayload = ZVolumeRef.extend({ vmId: ZId, ...ZDiskDevice.shape });
export const ZVolumeAttachResult = z.object({ volumeId: ZId, vmId: ZId, target: z.string(), live: z.boolean(), alreadyAttached: z.boolean() });
export const ZVolumeDetachPayload = ZVolumeRef.extend({ vmId: ZId, ...ZDiskDevice.shape });
export const ZVolumeDetachResult = z.object({ volumeId: ZId, vmId: ZId, live: z.boolean(), alreadyDetached: z.boolean() });
/** Grows a volume; attached to a running VM it is resized live (the guest sees the new size). */
export const ZVolumeResizePayload = ZVolumeRef.extend({ sizeGiB: ZSizeGiB, attachedTo: z.object({ vmId: ZId, ...ZDiskDevice.shape }).optional() });
export const ZVolumeResizeResult = z.object({ volumeId: ZId, sizeGiB: ZSizeGiB, live: z.boolean() });
export const ZVolumeDeletePayload = ZVolumeRef;
export const ZVolumeDeleteResult = z.object({ volumeId: ZId, removed: z.boolean() });

/** Where a destination agent receives volume streams: HOST:PORT as the source host reaches it. */
export const ZStreamAddress = z.string().max(300).regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}$/, "must be HOST:PORT");

/**
 * Storage migration, source half (sent to the SOURCE host; it is the user's Job): streams the
 * volume's file to the destination agent's receiver, authenticated by a one-time token sealed to
 * this host, with a bandwidth cap; deletes the source only after the destination confirmed its
 * verified copy (sha256). Cancelled through the job's cancel key.
 */
export const ZVolumeMigratePayload = z.object({
  volumeId: ZId,
  source: z.object({ pool: ZLibvirtName, name: ZLibvirtName }),
  destination: z.object({ hostName: z.string().max(200), address: ZStreamAddress, pool: ZLibvirtName }),
  /** The one-time stream token, sealed to this host's key (SEAL_PURPOSE_JOB_SECRET). */
  token: ZSealed,
  /** MiB/s; 0 = unlimited. */
  bandwidthMiBps: z.number().int().min(0).max(1_000_000).default(0),
  /** How long to keep trying to reach the receiver (it starts as a separate job on the destination). */
  connectTimeoutSec: z.number().int().min(1).max(3600).default(120),
  /**
   * The volume is a disk of this stopped VM (whose domain is on this host): once the copy is
   * verified, the domain's disk at `target` is pointed at it, before the source is deleted.
   */
  disk: z.object({ vmId: ZId, target: z.string().regex(/^vd[a-z]$/, "must be a virtio disk target such as vda") }).optional(),
  /**
   * Keep the source after the verified copy (a stopped VM moving host with its disks: its source
   * stays authoritative until the VM is defined on the target; core deletes the source afterwards).
   */
  keepSource: z.boolean().default(false),
});
export const ZVolumeMigrateResult = z.object({
  volumeId: ZId,
  /** The volume's path in the destination pool. */
  path: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  durationMs: z.number().int().min(0),
  sourceDeleted: z.boolean(),
});
/**
 * Storage migration, destination half (sent to the DESTINATION host): accepts exactly one stream
 * for this volume carrying the token sealed to this host, writes it under a temporary name
 * (<name>.partial), checks its sha256 against the sender's, then makes it the volume. Idempotent
 * by volume id: a newer receive for the same volume replaces an older one; partials are removed.
 */
export const ZVolumeMigrateReceivePayload = z.object({
  volumeId: ZId,
  target: z.object({ pool: ZLibvirtName, name: ZLibvirtName }),
  token: ZSealed,
  /** Give up when no sender connected within this many seconds. */
  waitSec: z.number().int().min(1).max(3600).default(180),
});
export const ZVolumeMigrateReceiveResult = z.object({ volumeId: ZId, path: z.string(), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
