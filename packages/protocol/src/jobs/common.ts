import { z } from "zod";

// What every area's jobs share: ids, libvirt names, volume references, paths and disk devices.

/** Identifiers of libvirt objects that Carve hands to the agent: ids, pool names, volume names. */
export const ZId = z.uuid();
/** Pool and volume names come from admins, but they still reach libvirt: keep them boring. */
export const ZLibvirtName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "only letters, digits and . _ + - are allowed");

export const ZVolumeRef = z.object({
  volumeId: ZId,
  pool: ZLibvirtName,
  name: ZLibvirtName,
});

/** Absolute paths the agent may read from: plain segments, none starting with a dot. */
export const ZAbsolutePath = z.string().max(4096).regex(/^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/, "must be an absolute path of plain segments");

/** A data volume's disk in a domain: virtio, `vd` + letter of its device index (vda is the root disk). */
export const ZDiskDevice = z.object({ deviceIndex: z.number().int().min(1).max(25) });
/** The agent's name for a device index: 1 → vdb. */
export const diskTarget = (deviceIndex: number): string => `vd${String.fromCharCode(97 + deviceIndex)}`;
