import { VmState, VolumeState, type Prisma } from "@carve/db";
import { JOBS, type TJobName, type TJobPayload } from "@carve/protocol";
import { z } from "zod";
import { CarveError } from "../errors/index.ts";

/*
 * What a Job row's `request` column holds, per job kind: the agent payload (so the job can be sent
 * again after an outage) and what finalising the job needs (the VM's state before it, the move's
 * reservation, the volume's record…). One schema per kind, written by `jobRequest` and read back by
 * `readJobRequest` only: no other code reads or writes the column by hand.
 */

/**
 * An agent payload as core wrote it: checked against the protocol's schema but kept as written
 * (its defaults are applied when it is sent, by `envelope`, exactly as before it was typed here).
 */
function payloadOf<N extends TJobName>(name: N) {
  const schema = JOBS[name].payload;
  return z.custom<TJobPayload<N>>((value) => schema.safeParse(value).success, { message: `is not a valid ${name} payload` });
}

const ZVmState = z.enum(VmState);

/** A move's reservation (`request.move`): finalising moves or gives back exactly what was reserved. */
export const ZMoveRecord = z.object({
  /** Empty for a VM that had no host on record. */
  sourceHostId: z.string(),
  targetHostId: z.string(),
  targetPoolId: z.string(),
  localGiB: z.number(),
  /** The local volumes that travel: their pool before the move. */
  volumes: z.array(z.object({ id: z.string(), fromPoolId: z.string(), sizeGiB: z.number() })),
  /** Their paths on the target when they were copied before the define (a cold move with local disks). */
  diskPaths: z.array(z.object({ volumeId: z.string(), path: z.string() })).optional(),
});
export type TMoveRecord = z.infer<typeof ZMoveRecord>;

/** A create waiting for its template's copy (issue 19): the job has no host until the copy is Ready. */
export const ZAwaitedCopy = z.object({
  templateId: z.string(),
  poolId: z.string(),
  /** The template.copy job the create waits for. */
  jobId: z.string(),
  /** The host the create goes to once the copy is Ready. */
  hostId: z.string(),
});
export type TAwaitedCopy = z.infer<typeof ZAwaitedCopy>;

/** What settling a volume job needs (`request.volume`). */
export const ZVolumeJobRecord = z.object({
  volumeId: z.string(),
  volumeName: z.string(),
  previousState: z.enum(VolumeState),
  poolId: z.string(),
  sizeGiB: z.number(),
  /** resize: the size asked for (the extra bytes were reserved up front). */
  newSizeGiB: z.number().optional(),
  vmId: z.string().nullable().optional(),
});
export type TVolumeJobRecord = z.infer<typeof ZVolumeJobRecord>;

/** What a volume.migrate Job records (non-secret) so its outcome can be settled: where from, where to. */
export const ZMigrationRecord = z.object({
  volumeId: z.uuid(),
  volumeName: z.string(),
  previousState: z.enum(["Ready", "Attached"]),
  sizeGiB: z.number().int(),
  from: z.object({ poolId: z.uuid(), pool: z.string(), hostId: z.uuid(), host: z.string() }),
  to: z.object({ poolId: z.uuid(), pool: z.string(), hostId: z.uuid(), host: z.string() }),
  receiveJobId: z.uuid(),
  /** The stopped VM whose disk this is (locked by the job meanwhile); absent for a detached volume. */
  vmId: z.uuid().optional(),
});
export type TMigrationRecord = z.infer<typeof ZMigrationRecord>;

const ZColdMoveHost = z.object({ id: z.string(), name: z.string(), sealKey: z.string().nullable() });

/** What a cold move's parent Job remembers (`request.coldMove`), so any process can drive it. */
export const ZColdMove = z.object({
  vmId: z.string(),
  vmName: z.string(),
  source: ZColdMoveHost,
  target: ZColdMoveHost.extend({ poolId: z.string(), pool: z.string(), poolLibvirtName: z.string() }),
  /** The disks copied, in order: each from its pool on the source to the target pool. */
  volumes: z.array(z.object({ id: z.string(), name: z.string(), libvirtName: z.string(), kind: z.enum(["Root", "Data"]), sizeGiB: z.number(), fromPool: z.string() })),
  /** The template copy in the target pool that the root overlay is rebased onto (null: no local root). */
  rebaseOnto: z.object({ pool: z.string(), name: z.string(), format: z.enum(["qcow2", "raw"]) }).nullable(),
  move: ZMoveRecord,
  /** The command that tries again, for error messages. */
  retry: z.string(),
});
export type TColdMove = z.infer<typeof ZColdMove>;

/** What a host maintenance's parent Job remembers. */
export const ZMaintenanceRequest = z.object({
  hostId: z.string(),
  hostName: z.string(),
  /** VMs on the host when maintenance started. */
  total: z.number(),
  /** The plan as shown when it started (for the admin's eyes). */
  plan: z.array(z.object({ vm: z.string(), kind: z.string(), target: z.string().nullable(), blocker: z.string().nullable() })).optional(),
});
export type TMaintenanceRequest = z.infer<typeof ZMaintenanceRequest>;

/** A job whose VM returns to its state before the job when the job fails. */
const vmAction = <N extends TJobName>(name: N) => z.object({ payload: payloadOf(name), previousState: ZVmState });
const volumeJob = <N extends TJobName>(name: N) => z.object({ payload: payloadOf(name), volume: ZVolumeJobRecord });
/** vm.migrate, and a cold move's or a dead host's vm.define and vm.undefine. */
const moveJob = <N extends TJobName>(name: N) => z.object({ payload: payloadOf(name), previousState: ZVmState, move: ZMoveRecord });

/** The request of every job kind: the agent's (protocol's) kinds and core's own parent jobs. */
export const JOB_REQUESTS = {
  "vm.create": z.object({ payload: payloadOf("vm.create"), previousState: z.null(), awaitsCopy: ZAwaitedCopy.optional() }),
  "vm.start": vmAction("vm.start"),
  "vm.stop": vmAction("vm.stop"),
  "vm.reboot": vmAction("vm.reboot"),
  // Reconciliation destroys a stray domain with no VM on record: no previous state, its drift item instead.
  "vm.destroy": z.object({ payload: payloadOf("vm.destroy"), previousState: ZVmState.optional(), driftId: z.string().optional() }),
  "vm.set-password": vmAction("vm.set-password"),
  "template.copy": z.object({ payload: payloadOf("template.copy"), templateId: z.string(), poolId: z.string() }),
  "pool.define": z.object({ payload: payloadOf("pool.define"), poolId: z.string() }),
  "volume.create": volumeJob("volume.create"),
  "volume.attach": volumeJob("volume.attach"),
  "volume.detach": volumeJob("volume.detach"),
  "volume.resize": volumeJob("volume.resize"),
  // A cold move's leftover copy has no volume record: deleting it changes no volume row.
  "volume.delete": z.object({ payload: payloadOf("volume.delete"), volume: ZVolumeJobRecord.optional(), leftover: z.enum(["source", "target"]).optional() }),
  "host.inventory": z.object({ payload: payloadOf("host.inventory"), purpose: z.literal("reconcile").optional(), reason: z.enum(["periodic", "host-up"]).optional() }),
  "vm.migrate": moveJob("vm.migrate"),
  "vm.define": moveJob("vm.define"),
  "vm.undefine": moveJob("vm.undefine"),
  // A volume's own migration has its record; a cold move's copy of a disk names the disk.
  "volume.migrate": z.object({
    payload: payloadOf("volume.migrate"),
    migration: ZMigrationRecord.optional(),
    coldMoveCopy: z.object({ volumeId: z.string(), receiveJobId: z.string() }).optional(),
  }),
  "volume.migrate-receive": z.object({ payload: payloadOf("volume.migrate-receive"), volumeId: z.string() }),
  "vm.filter": z.object({ payload: payloadOf("vm.filter") }),
  "network.define": z.object({ payload: payloadOf("network.define"), networkId: z.string() }),
  "network.undefine": z.object({ payload: payloadOf("network.undefine"), networkId: z.string() }),
  // From reconciliation (a drift item) or a live migration's source disks (a volume).
  "drift.remove": z.object({ payload: payloadOf("drift.remove"), driftId: z.string().optional(), volumeId: z.string().optional() }),
  // Transient: sent without a Job row (its BullMQ id is prefixed), so no request is ever stored.
  "console.attach": z.never(),
  // Core's own jobs, on no host's queue.
  "vm.cold-move": z.object({ coldMove: ZColdMove }),
  "vm.destroy-records": z.object({ previousState: ZVmState, kept: z.array(z.string()) }),
  "host.maintenance": ZMaintenanceRequest,
} satisfies { [N in TJobName]: z.ZodType } & Record<string, z.ZodType>;

export type TJobKind = keyof typeof JOB_REQUESTS;
export type TJobRequest<K extends TJobKind> = z.output<(typeof JOB_REQUESTS)[K]>;
export type TJobRequestInput<K extends TJobKind> = z.input<(typeof JOB_REQUESTS)[K]>;

export function isJobKind(kind: string): kind is TJobKind {
  return Object.hasOwn(JOB_REQUESTS, kind);
}

/**
 * The `request` column for a new Job of `kind`, checked against its schema: a request that would
 * not read back is refused when it is written (a bug of core), not when the job is finalised.
 */
export function jobRequest<K extends TJobKind>(kind: K, request: TJobRequestInput<K>): Prisma.InputJsonValue {
  const parsed = JOB_REQUESTS[kind].safeParse(request);
  if (!parsed.success) throw malformed(kind, "(new)", parsed.error);
  // Written as given (not as parsed): a payload keeps the shape its writer gave it (see payloadOf).
  return request as Prisma.InputJsonValue;
}

/**
 * A Job row's request, read as its kind's schema says. A row that does not parse is an internal
 * error naming the job: finalising it would otherwise guess.
 */
export function readJobRequest<K extends TJobKind>(kind: K, job: { id: string; request: Prisma.JsonValue }): TJobRequest<K> {
  const parsed = JOB_REQUESTS[kind].safeParse(job.request);
  if (!parsed.success) throw malformed(kind, job.id, parsed.error);
  return parsed.data as TJobRequest<K>;
}

/** The VM's state before a job that changes it (null: the job's kind keeps none, or it is no known kind). */
export function previousStateOf(job: { id: string; kind: string; request: Prisma.JsonValue }): VmState | null {
  if (!isJobKind(job.kind)) return null;
  const request = readJobRequest(job.kind, job);
  return "previousState" in request ? (request.previousState ?? null) : null;
}

function malformed(kind: string, jobId: string, error: z.ZodError): CarveError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `request.${issue.path.join(".")}` : "request";
  return new CarveError(
    "INTERNAL",
    `Job ${jobId} (${kind}) has a malformed ${where}: ${issue?.message ?? "invalid"}. It was written by another Carve version or by hand: check that every Carve process runs the same version, and repeat the action.`,
    { details: { jobId, kind } },
  );
}
