import type { Prisma, Tx } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { releasePoolBytes } from "../hosts/capacity.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { readJobRequest } from "../jobs/job-request.ts";
import type { TVolumeJob } from "./volume-job.ts";

type TOutcome = { ok: true; result: unknown } | { ok: false; message: string };

/**
 * Applies a finished volume.create/attach/detach/resize/delete job to its volume (and frees the VM
 * it held), inside the finaliser's or the watchdog's transaction. Only a volume still held by this
 * very job changes, so a late or repeated outcome is ignored. Reservations follow the outcome: a
 * failed create or resize gives its bytes back, a deleted volume all of them.
 */
export async function settleVolumeJob(tx: Tx, deps: CoreDeps, job: { id: string; kind: TVolumeJob; hostId: string | null; request: Prisma.JsonValue }, outcome: TOutcome): Promise<void> {
  // A cold move's leftover copy has no volume record: deleting it changes no volume row.
  const record = readJobRequest(job.kind, job).volume;
  if (!record) return;
  const failed = outcome.ok ? null : outcome.message;
  const path = outcome.ok && outcome.result && typeof outcome.result === "object" && "path" in outcome.result ? String(outcome.result.path) : undefined;
  let data: Prisma.VolumeUncheckedUpdateManyInput;
  let message: string;
  switch (job.kind) {
    case "volume.create":
      data = failed ? { state: "Error", stateReason: `creating it failed: ${failed}; delete it and try again` } : { state: "Ready", stateReason: null, ...(path ? { path } : {}) };
      message = failed ? `volume ${record.volumeName} could not be created: ${failed}` : `volume ${record.volumeName} is Ready`;
      break;
    case "volume.attach":
      data = failed ? { state: record.previousState, vmId: null, deviceIndex: null, stateReason: `attaching failed: ${failed}` } : { state: "Attached", stateReason: null };
      message = failed ? `volume ${record.volumeName} could not be attached: ${failed}` : `volume ${record.volumeName} is attached`;
      break;
    case "volume.detach":
      data = failed ? { stateReason: `detaching failed: ${failed}` } : { state: "Ready", vmId: null, deviceIndex: null, stateReason: null };
      message = failed ? `volume ${record.volumeName} could not be detached: ${failed}` : `volume ${record.volumeName} is detached`;
      break;
    case "volume.resize":
      data = failed ? { stateReason: `growing to ${record.newSizeGiB ?? "?"} GiB failed: ${failed}` } : { sizeGiB: record.newSizeGiB ?? record.sizeGiB, stateReason: null };
      message = failed ? `volume ${record.volumeName} could not be resized: ${failed}` : `volume ${record.volumeName} is ${record.newSizeGiB ?? record.sizeGiB} GiB`;
      break;
    case "volume.delete":
      data = failed ? { state: record.previousState, stateReason: `deleting failed: ${failed}` } : { state: "Deleted", deletedAt: deps.now(), stateReason: null };
      message = failed ? `volume ${record.volumeName} could not be deleted: ${failed}` : `volume ${record.volumeName} is deleted`;
      break;
    default:
      return;
  }
  const settled = await tx.volume.updateMany({ where: { id: record.volumeId, activeJobId: job.id }, data: { ...data, activeJobId: null } });
  if (settled.count === 0) return;
  if (record.vmId) await tx.vm.updateMany({ where: { id: record.vmId, activeJobId: job.id }, data: { activeJobId: null } });
  if (failed && job.kind === "volume.create") await releasePoolBytes(tx, record.poolId, record.sizeGiB);
  if (failed && job.kind === "volume.resize" && record.newSizeGiB) await releasePoolBytes(tx, record.poolId, record.newSizeGiB - record.sizeGiB);
  if (!failed && job.kind === "volume.delete") await releasePoolBytes(tx, record.poolId, record.sizeGiB);
  await recordEvent(tx, { type: job.kind, actor: SYSTEM_ACTOR, vmId: record.vmId ?? null, hostId: job.hostId, jobId: job.id, toState: typeof data.state === "string" ? data.state : null, message });
}
