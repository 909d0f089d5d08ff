import { z } from "zod";
import { ZAbsolutePath, ZDiskDevice, ZId, ZLibvirtName, ZVolumeRef } from "./common.ts";
import { ZNicSpec } from "./network.ts";
import { ZVmFilter } from "./security-group.ts";
import { ZVmRef } from "./vm.ts";

/** A libvirt URI a source host's agent uses to reach the destination's libvirtd. */
export const ZLibvirtUri = z
  .string()
  .max(1000)
  .regex(/^(?:test|qemu(?:\+[a-z]+)?):\/\/[A-Za-z0-9._~:/?&=%@+-]*$/, "must be a libvirt URI such as qemu+tcp://host-b/system");

/** A disk that moves with a live migration (libvirt's copy-storage): where it is, where it goes. */
export const ZMigrateDisk = z.object({
  source: ZVolumeRef,
  /** The volume to pre-create in the destination host's pool (same capacity and format). */
  target: ZVolumeRef,
  capacityBytes: z.number().int().min(1),
  format: z.enum(["qcow2", "raw"]),
});

/**
 * Live-migrates a running VM to another host: sent to the SOURCE host's queue. With `disks` empty
 * the storage is shared and only memory moves; otherwise those disks are copied too.
 */
export const ZVmMigratePayload = ZVmRef.extend({
  destination: z.object({
    /** The destination host's name, for messages. */
    hostName: z.string().max(200),
    uri: ZLibvirtUri,
    /** QEMU's migration stream address on the destination (tcp://ADDRESS[:PORT]). */
    address: z
      .string()
      .regex(/^tcp:\/\/[A-Za-z0-9.:[\]-]+$/, "must be tcp://ADDRESS[:PORT]")
      .optional(),
    /** Where the destination logs serial consoles; absent: the source's own directory. */
    consoleLogDir: ZAbsolutePath.optional(),
  }),
  disks: z.array(ZMigrateDisk).max(64).default([]),
  /**
   * The disks that stay are on pools Carve knows both hosts share (registered as Shared): libvirt's
   * own check, which recognises only some network filesystems, is overridden (`--unsafe`).
   */
  trustSharedStorage: z.boolean().default(false),
  /** Seconds after which the migration is aborted and the VM stays on the source. */
  timeoutSec: z.number().int().min(10).max(86_400).default(1800),
  /** The VM's network filter, defined on the destination before the domain moves (its NIC refers to it). */
  filter: ZVmFilter.optional(),
  /** The VM's NICs: their DHCP/DNS entries are added on the destination before, and removed here after (issue 17). */
  nics: z.array(ZNicSpec).max(8).optional(),
});
export const ZVmMigrateResult = z.object({
  vmId: ZId,
  state: z.literal("running"),
  /** Wall time of the migration itself (from the start of `virsh migrate` to its end). */
  durationMs: z.number().int().min(0),
  /** Each moved disk's path on the destination. */
  diskPaths: z.array(z.object({ volumeId: ZId, path: z.string() })).default([]),
});

/**
 * Defines a stopped VM's domain on this host (the cold half of a move): its disks are volumes in
 * pools this host sees. Idempotent: a domain of that UUID already defined is the job done (and,
 * with `start`, started if it is not running yet).
 */
export const ZVmDefinePayload = ZVmRef.extend({
  title: z.string().max(255),
  vcpus: z.number().int().min(1).max(256),
  memoryMiB: z.number().int().min(16).max(4 * 1024 * 1024),
  rootVolume: ZVolumeRef.extend({
    format: z.enum(["qcow2", "raw"]),
    /**
     * A root overlay copied from another host: its backing file still names the source's template
     * copy, so it is rebased (metadata only) onto this template volume here before the define.
     */
    rebaseOnto: z.object({ pool: ZLibvirtName, name: ZLibvirtName, format: z.enum(["qcow2", "raw"]) }).optional(),
  }),
  /** Data volumes attached to the VM, at their device index. */
  dataVolumes: z.array(ZVolumeRef.extend(ZDiskDevice.shape)).max(24).default([]),
  /** The VM's NICs (same MACs and addresses as on the source; DHCP/DNS entries are added here). Absent: the agent's own network. */
  nics: z.array(ZNicSpec).max(8).optional(),
  /** The VM's network filter (security groups), defined here before the domain (its NICs refer to it). */
  filter: ZVmFilter.optional(),
  /** Start the domain once defined (a VM restarted here from shared disks after its host was declared dead). */
  start: z.boolean().default(false),
});
export const ZVmDefineResult = z.object({ vmId: ZId, state: z.enum(["stopped", "running"]), rootVolumePath: z.string() });

/** Removes a stopped VM's domain definition from this host, keeping its disks (the other half of a move). */
export const ZVmUndefineResult = z.object({ vmId: ZId, removedDomain: z.boolean() });
