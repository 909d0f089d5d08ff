import { z } from "zod";
import { ZConsoleAttachPayload, ZConsoleAttachResult } from "./console.ts";
import { ZId } from "./jobs/common.ts";
import { ZDriftRemovePayload, ZDriftRemoveResult, ZInventoryResult } from "./jobs/host.ts";
import { ZNetworkDefinePayload, ZNetworkDefineResult, ZNetworkUndefinePayload, ZNetworkUndefineResult } from "./jobs/network.ts";
import { ZVmFilterPayload, ZVmFilterResult } from "./jobs/security-group.ts";
import { ZPoolDefinePayload, ZPoolDefineResult, ZTemplateCopyPayload, ZTemplateCopyResult } from "./jobs/template-pool.ts";
import { ZVmDefinePayload, ZVmDefineResult, ZVmMigratePayload, ZVmMigrateResult, ZVmUndefineResult } from "./jobs/vm-move.ts";
import { ZVmCreatePayload, ZVmCreateResult, ZVmDestroyPayload, ZVmDestroyResult, ZVmPowerResult, ZVmRef, ZVmSetPasswordPayload, ZVmSetPasswordResult, ZVmStopPayload } from "./jobs/vm.ts";
import {
  ZVolumeAttachPayload,
  ZVolumeAttachResult,
  ZVolumeCreatePayload,
  ZVolumeCreateResult,
  ZVolumeDeletePayload,
  ZVolumeDeleteResult,
  ZVolumeDetachPayload,
  ZVolumeDetachResult,
  ZVolumeMigratePayload,
  ZVolumeMigrateReceivePayload,
  ZVolumeMigrateReceiveResult,
  ZVolumeMigrateResult,
  ZVolumeResizePayload,
  ZVolumeResizeResult,
} from "./jobs/volume.ts";
import { PROTOCOL_VERSION } from "./version.ts";

// The job schemas live by area in jobs/; this file assembles them into the JOBS table, and every
// schema stays importable from here (and from the package) as before.
export { diskTarget, ZDiskDevice, ZLibvirtName, ZVolumeRef } from "./jobs/common.ts";
export * from "./jobs/host.ts";
export * from "./jobs/network.ts";
export * from "./jobs/security-group.ts";
export * from "./jobs/template-pool.ts";
export * from "./jobs/vm-move.ts";
export * from "./jobs/vm.ts";
export * from "./jobs/volume.ts";

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
  "pool.define": { payload: ZPoolDefinePayload, result: ZPoolDefineResult },
  "volume.create": { payload: ZVolumeCreatePayload, result: ZVolumeCreateResult },
  "volume.attach": { payload: ZVolumeAttachPayload, result: ZVolumeAttachResult },
  "volume.detach": { payload: ZVolumeDetachPayload, result: ZVolumeDetachResult },
  "volume.resize": { payload: ZVolumeResizePayload, result: ZVolumeResizeResult },
  "volume.delete": { payload: ZVolumeDeletePayload, result: ZVolumeDeleteResult },
  "host.inventory": { payload: z.object({}), result: ZInventoryResult },
  "vm.migrate": { payload: ZVmMigratePayload, result: ZVmMigrateResult },
  "vm.define": { payload: ZVmDefinePayload, result: ZVmDefineResult },
  "vm.undefine": { payload: ZVmRef, result: ZVmUndefineResult },
  "volume.migrate": { payload: ZVolumeMigratePayload, result: ZVolumeMigrateResult },
  "volume.migrate-receive": { payload: ZVolumeMigrateReceivePayload, result: ZVolumeMigrateReceiveResult },
  // security groups (issue 17)
  "vm.filter": { payload: ZVmFilterPayload, result: ZVmFilterResult },
  // networks (issue 17)
  "network.define": { payload: ZNetworkDefinePayload, result: ZNetworkDefineResult },
  "network.undefine": { payload: ZNetworkUndefinePayload, result: ZNetworkUndefineResult },
  "drift.remove": { payload: ZDriftRemovePayload, result: ZDriftRemoveResult },
  // console (issue 18)
  "console.attach": { payload: ZConsoleAttachPayload, result: ZConsoleAttachResult },
} as const;

export type TJobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as TJobName[];
export type TJobPayload<N extends TJobName> = z.input<(typeof JOBS)[N]["payload"]>;
export type TJobPayloadParsed<N extends TJobName> = z.output<(typeof JOBS)[N]["payload"]>;
export type TJobResult<N extends TJobName> = z.output<(typeof JOBS)[N]["result"]>;

/** What is stored as BullMQ job data: the envelope checks the protocol version first. */
export const ZJobEnvelope = z.object({
  protocolVersion: z.number().int(),
  /** The database Job id; also the BullMQ job id, so enqueueing twice is a no-op (a transient job's BullMQ id is prefixed: see core's bullmq-job-queues.ts). */
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
