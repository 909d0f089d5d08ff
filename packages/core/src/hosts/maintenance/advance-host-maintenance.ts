import type { Job } from "@carve/db";
import type { CoreDeps } from "../../context.ts";
import { isCarveError } from "../../errors/index.ts";
import { recordEvent } from "../../events/record-event.ts";
import { SYSTEM_ACTOR } from "../../identity/actor.ts";
import { dispatchJob } from "../../jobs/dispatch-job.ts";
import { readJobRequest } from "../../jobs/job-request.ts";
import { startLiveMigration } from "../../vms/move/migrate-vm.ts";
import { loadMovingVms } from "../../vms/move/move-targets.ts";
import { moveStoppedVm } from "../../vms/move/move-stopped-vm.ts";
import { advanceColdMove, COLD_MOVE_JOB } from "../../vms/move/advance-cold-move.ts";
import type { TMoveSettled } from "../../vms/move/settle-vm-move.ts";

/** The parent Job of a host's maintenance (its steps are the VM moves, `parentJobId` = its id). */
export const MAINTENANCE_JOB = "host.maintenance";

/**
 * Drives every running host maintenance one step (the controller calls it each round, and a move
 * finishing calls it at once): while a move is in flight it waits; when a move failed and its VM
 * is still on the host, maintenance stops (Failed, the host stays PrepareForMaintenance, the
 * reason says what to do); otherwise it starts the next VM's move (live for running, cold for
 * stopped VMs, their local disks copied along), one at a time; once no VM is left the host is in
 * Maintenance. The controller's round (no `parentJobId`) also moves on every running cold move
 * (advanceColdMove), so one whose step was abandoned still ends. Returns how many maintenances it
 * looked at.
 */
export async function advanceHostMaintenance(deps: CoreDeps, options: { parentJobId?: string } = {}): Promise<number> {
  const parents = await deps.db.job.findMany({
    where: { kind: MAINTENANCE_JOB, state: "Running", ...(options.parentJobId ? { id: options.parentJobId } : {}) },
    select: { id: true },
  });
  if (!options.parentJobId) {
    // The controller's round also drives cold moves whose step ended without finalising (abandoned).
    const moves = await deps.db.job.findMany({ where: { kind: COLD_MOVE_JOB, state: "Running" }, select: { id: true } });
    for (const move of moves) await afterColdMove(deps, move.id);
  }
  for (const parent of parents) {
    await advanceLocked(deps, parent.id).catch((err: unknown) => deps.log.error({ jobId: parent.id, err }, "could not advance a host's maintenance; the next round retries"));
  }
  return parents.length;
}

/**
 * One maintenance's step under a lock of its own: a finished move and the controller's round may
 * both advance it at once, and one of them must not see the other's next move half-made (its VM
 * claimed, its Job not yet there) and conclude that the next VM cannot leave. An advisory lock,
 * not a row lock: the step itself writes the parent Job row from other connections.
 */
async function advanceLocked(deps: CoreDeps, parentId: string): Promise<void> {
  await deps.db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${parentId}))) AS l`;
      const parent = await deps.db.job.findUnique({ where: { id: parentId }, select: { id: true, state: true, request: true, progress: true, step: true } });
      if (parent?.state === "Running") await advanceOne(deps, parent);
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}

/** After a move job is finalised: send its follow-up (a cold move's undefine), or move maintenance on. */
export async function afterVmMove(deps: CoreDeps, moved: TMoveSettled): Promise<void> {
  if (moved.followUp) await dispatchJob(deps, moved.followUp);
  else if (moved.parentJobId) await advanceHostMaintenance(deps, { parentJobId: moved.parentJobId });
}

/**
 * After a step of a cold move with disks was finalised (`parentJobId`: its parent, when it has one):
 * the move goes on, and once it ended the maintenance it belongs to does.
 */
export async function afterColdMove(deps: CoreDeps, parentJobId: string): Promise<void> {
  try {
    const { ended, parentJobId: maintenance } = await advanceColdMove(deps, parentJobId);
    if (ended && maintenance) await advanceHostMaintenance(deps, { parentJobId: maintenance });
  } catch (err: unknown) {
    deps.log.error({ jobId: parentJobId, err }, "could not advance a VM's cold move; the controller's next round retries");
  }
}

async function advanceOne(deps: CoreDeps, parent: Pick<Job, "id" | "request" | "progress" | "step">): Promise<void> {
  const request = readJobRequest(MAINTENANCE_JOB, parent);
  const host = await deps.db.host.findUnique({ where: { id: request.hostId }, select: { id: true, name: true, state: true } });
  if (!host || host.state !== "PrepareForMaintenance") {
    // Cancelled (or removed) meanwhile: the cancel ends the job itself; this only covers a race.
    await finishParent(deps, parent.id, { state: "Cancelled", errorMessage: `maintenance of ${request.hostName} ended: the host is ${host?.state ?? "gone"}` });
    return;
  }
  const steps = await deps.db.job.findMany({
    where: { parentJobId: parent.id },
    select: { id: true, state: true, vmId: true, errorMessage: true },
    orderBy: { createdAt: "desc" },
  });
  if (steps.some((s) => s.state === "Queued" || s.state === "Running")) return;
  const remaining = await loadMovingVms(deps.db, { hostId: host.id });
  const moved = Math.max(request.total - remaining.length, 0);
  if (remaining.length === 0) {
    await enterMaintenance(deps, parent.id, host);
    return;
  }
  for (const vm of remaining) {
    const last = steps.find((s) => s.vmId === vm.id);
    if (last?.state === "Failed") {
      await fail(deps, parent.id, host, `moving ${vm.name} failed: ${last.errorMessage ?? "no reason given"}`);
      return;
    }
  }
  const next = remaining.find((vm) => vm.activeJobId === null && (vm.state === "Running" || vm.state === "Stopped"));
  if (!next) {
    // A VM busy with a job of its own settles first; anything else cannot leave.
    if (remaining.some((vm) => vm.activeJobId !== null)) return;
    await fail(deps, parent.id, host, remaining.map((vm) => `${vm.name} is ${vm.state} and cannot leave (start, stop or destroy it)`).join("; "));
    return;
  }
  const options = { parentJobId: parent.id };
  try {
    if (next.state === "Running") await startLiveMigration(deps, SYSTEM_ACTOR, next.id, options);
    else await moveStoppedVm(deps, SYSTEM_ACTOR, next.id, options);
  } catch (error) {
    if (!isCarveError(error)) throw error;
    await fail(deps, parent.id, host, `cannot move ${next.name}: ${error.message}`);
    return;
  }
  const total = Math.max(request.total, moved + remaining.length);
  await deps.db.job.updateMany({
    where: { id: parent.id, state: "Running" },
    data: { progress: Math.floor((moved / total) * 100), step: `moving ${next.name} (${moved + 1} of ${total})` },
  });
}

async function enterMaintenance(deps: CoreDeps, parentId: string, host: { id: string; name: string }): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const changed = await tx.host.updateMany({ where: { id: host.id, state: "PrepareForMaintenance" }, data: { state: "Maintenance" } });
    if (changed.count === 0) return;
    await tx.job.updateMany({ where: { id: parentId, state: "Running" }, data: { state: "Succeeded", progress: 100, step: "every VM has left", finishedAt: deps.now() } });
    await recordEvent(tx, {
      type: "host.state",
      actor: SYSTEM_ACTOR,
      hostId: host.id,
      jobId: parentId,
      fromState: "PrepareForMaintenance",
      toState: "Maintenance",
      message: `host ${host.name} is in Maintenance: every VM has left it. Return it to service with 'carve host maintenance cancel ${host.name}'.`,
    });
  });
}

async function fail(deps: CoreDeps, parentId: string, host: { id: string; name: string }, why: string): Promise<void> {
  const message = `${why}. ${host.name} stays in PrepareForMaintenance (no new VMs are placed on it): fix the cause and run 'carve host maintenance start ${host.name}' again, or 'carve host maintenance cancel ${host.name}' to return it to service.`;
  await deps.db.$transaction(async (tx) => {
    const ended = await tx.job.updateMany({ where: { id: parentId, state: "Running" }, data: { state: "Failed", errorCode: "MAINTENANCE_STOPPED", errorMessage: message, finishedAt: deps.now() } });
    if (ended.count === 0) return;
    await recordEvent(tx, { type: "host.maintenance", actor: SYSTEM_ACTOR, hostId: host.id, jobId: parentId, message });
  });
}

async function finishParent(deps: CoreDeps, parentId: string, data: { state: "Cancelled"; errorMessage: string }): Promise<void> {
  await deps.db.job.updateMany({ where: { id: parentId, state: "Running" }, data: { ...data, finishedAt: deps.now() } });
}
