import { z } from "zod";
import { ZSealed } from "../join.ts";
import { ZId, ZLibvirtName, ZVolumeRef } from "./common.ts";
import { ZNicSpec } from "./network.ts";
import { ZVmFilter } from "./security-group.ts";

/** A guest user name (set-user-password, cloud-init): no shell or virsh syntax can hide in it. */
export const ZGuestUser = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,31}$/, "must be a user name: a letter, then letters, digits, _ . or - (at most 32)");

/**
 * What a cloud-init NoCloud seed gives a new guest. The agent writes it to an ISO (volume label
 * `cidata`) attached as a read-only CD-ROM; only templates that declare cloud-init support get one.
 */
export const ZCloudInit = z.object({
  /** The VM's name: an RFC 1123 label. */
  hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be an RFC 1123 label"),
  /** OpenSSH public key lines, validated by core; one line each. */
  sshAuthorizedKeys: z.array(z.string().min(1).max(16_384).regex(/^[^\r\n]+$/, "must be one line")).max(100),
  /** A first password for `passwordUser`, sealed to the host's key (SEAL_PURPOSE_JOB_SECRET). */
  password: ZSealed.optional(),
  passwordUser: ZGuestUser.default("root"),
});
export type TCloudInit = z.output<typeof ZCloudInit>;

export const ZVmCreatePayload = z.object({
  vmId: ZId,
  /** Shown as the domain's <title>; escaped by the XML builder. */
  title: z.string().max(255),
  vcpus: z.number().int().min(1).max(256),
  memoryMiB: z.number().int().min(16).max(4 * 1024 * 1024),
  rootVolume: ZVolumeRef.extend({ sizeGiB: z.number().int().min(1).max(65536) }),
  /** The template's copy in the same pool; the root volume is a copy-on-write clone of it. */
  template: z.object({ pool: ZLibvirtName, name: ZLibvirtName, format: z.enum(["qcow2", "raw"]) }),
  /** Start the domain after defining it. */
  start: z.boolean().default(true),
  /** A NoCloud seed to build and attach; absent for templates without cloud-init. */
  cloudInit: ZCloudInit.optional(),
  /** Empty data volumes to create and attach with the root disk (createVm's dataDisks). */
  dataVolumes: z.array(ZVolumeRef.extend({ sizeGiB: z.number().int().min(1).max(65536), deviceIndex: z.number().int().min(1).max(25) })).max(8).optional(),
  /** The VM's NICs in device order (absent: the agent's own network setting, as before networks were records). */
  nics: z.array(ZNicSpec).max(8).optional(),
  /** The NICs' network filter, defined before the domain starts (security groups, issue 17). */
  filter: ZVmFilter.optional(),
});
export const ZVmCreateResult = z.object({
  vmId: ZId,
  domainUuid: ZId,
  state: z.enum(["running", "stopped"]),
  rootVolumePath: z.string(),
});

export const ZVmRef = z.object({ vmId: ZId });
export const ZVmStopPayload = ZVmRef.extend({
  /** Seconds to wait for the guest to power off after ACPI shutdown before forcing it off. */
  gracefulTimeoutSec: z.number().int().min(0).max(3600).default(60),
  force: z.boolean().default(false),
});
export const ZVmPowerResult = z.object({
  vmId: ZId,
  state: z.enum(["running", "stopped"]),
  /** True when a graceful stop timed out and the domain was forced off. */
  forced: z.boolean().default(false),
});
export const ZVmDestroyPayload = ZVmRef.extend({ volumes: z.array(ZVolumeRef) });
export const ZVmDestroyResult = z.object({
  vmId: ZId,
  removedDomain: z.boolean(),
  removedVolumes: z.array(ZLibvirtName),
});

/** Sets a guest user's password through the QEMU guest agent; the password is sealed to the host's key. */
export const ZVmSetPasswordPayload = ZVmRef.extend({
  user: ZGuestUser,
  password: ZSealed,
});
/** Never carries the password: results rest in Redis and in the Job row. */
export const ZVmSetPasswordResult = z.object({ vmId: ZId, user: ZGuestUser });
