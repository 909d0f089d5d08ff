import type { VmState } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { actionOfJob, holdsCapacity } from "../vms/vm-state-machine.ts";
import { reportJobFinished } from "./job-finished.ts";
import { settleKind } from "./finalise-job.ts";
import { isJobKind, previousStateOf } from "./job-request.ts";
// console (issue 18)
import { endConsoleSessions } from "../console/end-console-sessions.ts";

/** Error codes on abandoned jobs (Job.errorCode). */
export type TAbandonCode = "HOST_SILENT" | "JOB_STUCK";

/**
 * Fails a job the agent will not (or not in time) finish, and releases its VM from the
 * transitional state: to Unknown when the VM held capacity before (its real state is unknown
 * until reconciliation reads it from the hypervisor), otherwise back to Error. Capacity is not
 * touched: nothing is known to have been freed. `why` starts the message ("host X stopped
 * answering"); the rest says what the job was doing and where the VM was left. Safe to race with
 * the agent's own result: whichever claims the job first wins, the other changes nothing.
 */
export async function abandonJob(deps: CoreDeps, jobId: string, code: TAbandonCode, why: string): Promise<string | null> {
  const abandoned = await deps.db.$transaction(async (tx) => {
    const job = await tx.job.findUnique({ where: { id: jobId }, select: { id: true, kind: true, state: true, vmId: true, hostId: true, request: true, createdAt: true } });
    if (!job || (job.state !== "Queued" && job.state !== "Running")) return null;
    const finishedAt = deps.now();
    const vm = job.vmId ? await tx.vm.findUnique({ where: { id: job.vmId }, select: { id: true, name: true, state: true, activeJobId: true } }) : null;
    const owned = vm && vm.activeJobId === job.id ? vm : null;
    const before = previousStateOf(job) ?? owned?.state ?? null;
    const to: VmState | null = owned ? (before && holdsCapacity(before) ? "Unknown" : "Error") : null;
    const action = actionOfJob(job.kind);
    const what = vm ? `${action ?? job.kind} of VM ${vm.name}` : job.kind;
    const where = owned && to
      ? to === "Unknown"
        ? `${owned.name} was left in state Unknown: Carve sets its real state from the host's report once the host answers.`
        : `${owned.name} was left in state Error: run the ${action ?? "action"} again once the host answers.`
      : "nothing else was changed.";
    const message = `${why} while ${what} was ${job.state === "Queued" ? "queued" : "running"}; the job was abandoned and ${where}`;
    const claimed = await tx.job.updateMany({
      where: { id: job.id, state: { in: ["Queued", "Running"] } },
      data: { state: "Failed", errorCode: code, errorMessage: message, finishedAt },
    });
    if (claimed.count === 0) return null;
    // Its kind's settling, as for a failure (creates waiting for a template copy fail with it; a
    // move's reservation on its target is given back). Nothing comes back to send: it failed.
    const kind = job.kind;
    if (isJobKind(kind)) await settleKind(tx, deps, { ...job, kind }, { ok: false, message }, "abandoned");
    if (owned && to) {
      await tx.vm.update({ where: { id: owned.id }, data: { state: to, stateReason: message, activeJobId: null } });
      // console (issue 18)
      await endConsoleSessions(tx, { vmId: owned.id }, `${owned.name} is ${to}`, finishedAt);
      await recordEvent(tx, {
        type: "vm.state",
        actor: SYSTEM_ACTOR,
        vmId: owned.id,
        hostId: job.hostId,
        jobId: job.id,
        fromState: owned.state,
        toState: to,
        message,
      });
    }
    return { hostId: job.hostId, message, kind: job.kind, durationMs: finishedAt.getTime() - job.createdAt.getTime() };
  });
  if (!abandoned) return null;
  deps.log.warn({ jobId, code, reason: abandoned.message }, "job abandoned");
  reportJobFinished(deps, { jobId, kind: abandoned.kind, outcome: "failed", errorCode: code, durationMs: abandoned.durationMs });
  if (abandoned.hostId) {
    // So a returning agent does not run it late; if it still does, the result is ignored.
    await deps.queues.discard(abandoned.hostId, jobId).catch(() => false);
  }
  return abandoned.message;
}
