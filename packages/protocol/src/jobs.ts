import { z } from "zod";
import { ZSealed } from "./join.ts";
import { PROTOCOL_VERSION } from "./version.ts";

/** Identifiers of libvirt objects that Carve hands to the agent: ids, pool names, volume names. */
const ZId = z.uuid();
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
export type TVolumeRef = z.infer<typeof ZVolumeRef>;

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

/** Absolute paths the agent may read from: plain segments, none starting with a dot. */
const ZAbsolutePath = z.string().max(4096).regex(/^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/, "must be an absolute path of plain segments");

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

export const ZInventoryResult = z.object({
  hostname: z.string(),
  cpus: z.number().int(),
  memoryMiB: z.number().int(),
  domains: z.array(z.object({ name: z.string(), uuid: z.string(), state: z.enum(["running", "stopped", "paused", "other"]) })),
  pools: z.array(
    z.object({
      name: z.string(),
      capacityBytes: z.number(),
      allocationBytes: z.number(),
      availableBytes: z.number(),
      volumes: z.array(z.string()),
    }),
  ),
});

/**
 * Every job Carve sends to an agent: its name, the schema of its payload and of its result.
 * Payloads are validated when enqueued (core) and again in the worker (agent).
 */
export const JOBS = {
  "vm.create": { payload: ZVmCreatePayload, result: ZVmCreateResult },
  "vm.start": { payload: ZVmRef, result: ZVmPowerResult },
  "vm.stop": { payload: ZVmStopPayload, result: ZVmPowerResult },
  "vm.reboot": { payload: ZVmRef, result: ZVmPowerResult },
  "vm.destroy": { payload: ZVmDestroyPayload, result: ZVmDestroyResult },
  "vm.set-password": { payload: ZVmSetPasswordPayload, result: ZVmSetPasswordResult },
  "template.copy": { payload: ZTemplateCopyPayload, result: ZTemplateCopyResult },
  "host.inventory": { payload: z.object({}), result: ZInventoryResult },
} as const;

export type TJobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as TJobName[];
export type TJobPayload<N extends TJobName> = z.input<(typeof JOBS)[N]["payload"]>;
export type TJobPayloadParsed<N extends TJobName> = z.output<(typeof JOBS)[N]["payload"]>;
export type TJobResult<N extends TJobName> = z.output<(typeof JOBS)[N]["result"]>;

/** What is stored as BullMQ job data: the envelope checks the protocol version first. */
export const ZJobEnvelope = z.object({
  protocolVersion: z.number().int(),
  /** The database Job id; also the BullMQ job id, so enqueueing twice is a no-op. */
  jobId: ZId,
  payload: z.unknown(),
});
export type TJobEnvelope = z.infer<typeof ZJobEnvelope>;

export function envelope<N extends TJobName>(name: N, jobId: string, payload: TJobPayload<N>): TJobEnvelope {
  return { protocolVersion: PROTOCOL_VERSION, jobId, payload: JOBS[name].payload.parse(payload) };
}

export function isJobName(name: string): name is TJobName {
  return Object.hasOwn(JOBS, name);
}

/** Progress an agent reports while it works: a step name and a percentage. */
export const ZJobProgress = z.object({ percent: z.number().min(0).max(100), step: z.string().max(200) });
export type TJobProgress = z.infer<typeof ZJobProgress>;
