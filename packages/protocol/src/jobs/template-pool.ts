import { z } from "zod";
import { ZAbsolutePath, ZId, ZLibvirtName } from "./common.ts";

/**
 * Copies a template's image into a pool as a volume (the base that root disks clone). Idempotent:
 * a volume of that name and capacity already there is the copy.
 */
export const ZTemplateCopyPayload = z.object({
  templateId: ZId,
  pool: ZLibvirtName,
  volume: ZLibvirtName,
  format: z.enum(["qcow2", "raw", "iso"]),
  /** The image file's size in bytes. */
  sizeBytes: z.number().int().min(1),
  /** The disk size the image presents (a qcow2's virtual size; otherwise sizeBytes). */
  capacityBytes: z.number().int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Where the agent reads the image: a file in the controller's template store (same filesystem for now). */
  source: z.object({ path: ZAbsolutePath }),
});
export const ZTemplateCopyResult = z.object({
  templateId: ZId,
  pool: ZLibvirtName,
  volume: ZLibvirtName,
  path: z.string(),
  /** True when the volume was already there (a retried job). */
  alreadyPresent: z.boolean(),
});

/** A host name or address an NFS server is reached by. */
const ZServerName = z.string().max(253).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "must be a host name or IPv4 address");

/**
 * Defines a storage pool in libvirt on one host, builds its target, starts it and marks it
 * autostart. Idempotent: a libvirt pool with the same target path (under any name) is adopted.
 */
export const ZPoolDefinePayload = z.object({
  poolId: ZId,
  /** The name to define it under when no libvirt pool has this target yet. */
  name: ZLibvirtName,
  kind: z.enum(["dir", "netfs"]),
  path: ZAbsolutePath,
  /** netfs only: the NFS server and export. */
  source: z.object({ host: ZServerName, path: ZAbsolutePath }).optional(),
});
export const ZPoolDefineResult = z.object({
  poolId: ZId,
  /** The pool's name in libvirt on this host: the requested one, or an adopted pool's own. */
  name: ZLibvirtName,
  adopted: z.boolean(),
  capacityBytes: z.number().nonnegative(),
  allocationBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
});
