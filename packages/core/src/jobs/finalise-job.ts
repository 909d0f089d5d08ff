import type { Prisma, Tx, VmState } from "@carve/db";
import { isJobName, JOBS } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { releaseVmAddresses } from "../networks/ipam/release-vm-addresses.ts";
import { leaveSecurityGroups } from "../security-groups/filter-jobs.ts";
import { releaseHostCapacity, releasePoolBytes } from "../hosts/capacity.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { applyInventory } from "../reconcile/apply-inventory.ts";
import { settleTemplateCopy } from "../templates/settle-template-copy.ts";
import { settlePoolDefine } from "../pools/settle-pool-define.ts";
import { settleVolumeJob } from "../volumes/settle-volume-job.ts";
import { settleVolumeMigration } from "../volumes/settle-volume-migration.ts";
import { actionOfJob, holdsCapacity, VM_ACTIONS } from "../vms/vm-state-machine.ts";
import { finaliseRunningCreate } from "./finalise-running-create.ts";
import { dispatchJob, type TDispatchable } from "./dispatch-job.ts";
import { waitingCreates } from "../vms/stage-create-copy.ts";
import { isJobKind, previousStateOf, readJobRequest, type TJobKind } from "./job-request.ts";
import { reportJobFinished } from "./job-finished.ts";
import { afterColdMove, afterVmMove } from "../hosts/maintenance/advance-host-maintenance.ts";
import { COLD_MOVE_STEPS } from "../vms/move/advance-cold-move.ts";
import { releaseAbandonedMove, settleVmMove, type TMoveSettled, type TVmMoveJob } from "../vms/move/settle-vm-move.ts";
// networks (issue 17)
import { settleNetworkDefine } from "../networks/settle-network-define.ts";
// console (issue 18)
import { endConsoleSessions } from "../console/end-console-sessions.ts";
import { clause } from "../errors/clause.ts";

export type TJobOutcome = { ok: true; result: unknown } | { ok: false; message: string };

/**
 * Turns an agent's outcome into database state, once: the Job row, the VM's state, capacity and
 * volumes, and an event. Safe to call again for the same job (only the first call changes anything),
 * so the live listener and the periodic sweep can both deliver the same outcome.
 */
export async function finaliseJob(deps: CoreDeps, jobId: string, outcome: TJobOutcome): Promise<boolean> {
  const created = outcome.ok ? await finaliseRunningCreate(deps, jobId, outcome.result) : null;
  if (created) {
    reportJobFinished(deps, { jobId, kind: "vm.create", outcome: "succeeded", errorCode: null, durationMs: created.durationMs });
    return true;
  }
  return finaliseJobGenerally(deps, jobId, outcome);
}

/**
 * finaliseJob without its fast path for creates reported running (finaliseRunningCreate): every
 * kind of job and outcome, one job per transaction. Exported for the test that both paths agree.
 */
export async function finaliseJobGenerally(deps: CoreDeps, jobId: string, outcome: TJobOutcome): Promise<boolean> {
  const finalised = await deps.db.$transaction(async (tx) => {
    // Only what finalising needs: every agent result passes here, so lean reads count.
    const job = await tx.job.findUnique({ where: { id: jobId }, select: { id: true, kind: true, state: true, vmId: true, hostId: true, request: true, createdAt: true, startedAt: true, parentJobId: true } });
    if (!job || (job.state !== "Queued" && job.state !== "Running")) return null;
    const finishedAt = deps.now();
    // A job that ended before it reported any progress started, as far as anyone saw, when it ended.
    const ended = { finishedAt, startedAt: job.startedAt ?? finishedAt };
    const parsed = outcome.ok ? parseResult(job.kind, outcome.result) : outcome;
    const claimed = await tx.job.updateMany({
      where: { id: jobId, state: { in: ["Queued", "Running"] } },
      data: parsed.ok
        ? { state: "Succeeded", progress: 100, step: "done", result: parsed.result as Prisma.InputJsonValue, ...ended }
        : { state: "Failed", errorCode: "AGENT_ERROR", errorMessage: parsed.message, ...ended },
    });
    if (claimed.count === 0) return null;
    // The kind's own settling first (a move changes the VM's host and capacity), then the VM's state.
    const kind = job.kind;
    const settled = isJobKind(kind) ? await settleKind(tx, deps, { ...job, kind }, parsed, "finalised") : {};
    if (job.vmId) await settleVm(tx, deps, job, parsed);
    const { moved = null, released = [] } = settled;
    return { kind: job.kind, ok: parsed.ok, durationMs: finishedAt.getTime() - job.createdAt.getTime(), moved, parentJobId: job.parentJobId, released };
  });
  if (finalised) {
    const { kind, ok, durationMs } = finalised;
    reportJobFinished(deps, { jobId, kind, outcome: ok ? "succeeded" : "failed", errorCode: ok ? null : "AGENT_ERROR", durationMs });
  }
  // Creates that waited for this template copy go to their hosts (issue 19).
  for (const waiting of finalised?.released ?? []) await dispatchJob(deps, waiting);
  if (finalised?.moved) await afterVmMove(deps, finalised.moved);
  // A step of a stopped VM's move with its disks (a no-op for any other parent).
  if (finalised?.parentJobId && COLD_MOVE_STEPS.has(finalised.kind)) await afterColdMove(deps, finalised.parentJobId);
  if (finalised?.kind === "host.inventory" && finalised.ok) {
    // Any fresh inventory is the hypervisor's word: reconcile with it (after the commit, so a
    // failure here never holds the job back; the next round retries).
    await applyInventory(deps, jobId).catch((err: unknown) => deps.log.error({ jobId, err }, "could not reconcile a host's inventory; the next round retries"));
  }
  return finalised !== null;
}

/**
 * The creates waiting for a finished template.copy job (issue 19), inside its finaliser's (or the
 * watchdog's) transaction: on success each gets its host back, to be sent after the commit (the
 * returned jobs; the sweep resends any that is not); on failure each fails as a create whose agent
 * failed (VM Error, capacity and volumes released), saying the copy failed.
 */
export async function settleWaitingCreates(tx: Tx, deps: CoreDeps, copyJob: { id: string }, outcome: TJobOutcome): Promise<TDispatchable[]> {
  const released: TDispatchable[] = [];
  for (const waiting of await waitingCreates(tx, copyJob.id)) {
    const awaits = readJobRequest("vm.create", waiting).awaitsCopy;
    if (!awaits) continue;
    if (outcome.ok) {
      await tx.job.update({ where: { id: waiting.id }, data: { hostId: awaits.hostId, progress: 0, step: "template copied" } });
      released.push({ ...waiting, hostId: awaits.hostId });
      continue;
    }
    const message = `copying its template to the pool failed (${outcome.message})`;
    const claimed = await tx.job.updateMany({ where: { id: waiting.id, state: "Queued" }, data: { state: "Failed", errorCode: "AGENT_ERROR", errorMessage: message, finishedAt: deps.now() } });
    if (claimed.count > 0) await settleVm(tx, deps, waiting, { ok: false, message });
  }
  return released;
}

/** A finished job as its kind's settling sees it. */
export interface TSettleJob<K extends TJobKind> {
  id: string;
  kind: K;
  vmId: string | null;
  hostId: string | null;
  request: Prisma.JsonValue;
}

/** What settling leads to after the commit: a move's follow-up, creates released by a template copy. */
interface TSettled {
  moved?: TMoveSettled;
  released?: TDispatchable[];
}

/**
 * What a finished job of one kind changes besides its Job row and its VM's state (settleVm), inside
 * the finaliser's or the watchdog's transaction. `how`: the agent's outcome was `finalised`, or the
 * job was `abandoned` (no outcome will come: `outcome` is the failure that says why).
 */
type TSettle<K extends TJobKind> = (tx: Tx, deps: CoreDeps, job: TSettleJob<K>, outcome: TJobOutcome, how: "finalised" | "abandoned") => Promise<TSettled | void>;

/** Nothing beyond the Job row and the VM's state (settleVm). */
const NOTHING: TSettle<TJobKind> = async () => {};
const settleMove: TSettle<TVmMoveJob> = async (tx, deps, job, outcome, how) => (how === "finalised" ? { moved: await settleVmMove(tx, deps, job, outcome) } : releaseAbandonedMove(tx, job));
const settleVolume: TSettle<"volume.create" | "volume.attach" | "volume.detach" | "volume.resize" | "volume.delete"> = (tx, deps, job, outcome) => settleVolumeJob(tx, deps, job, outcome);

/** Every job kind's settling, like the agent's HANDLERS: a new kind does not compile until it has one. */
const SETTLE: { [K in TJobKind]: TSettle<K> } = {
  "vm.create": NOTHING,
  "vm.start": NOTHING,
  "vm.stop": NOTHING,
  "vm.reboot": NOTHING,
  "vm.destroy": NOTHING,
  "vm.set-password": NOTHING,
  "vm.migrate": settleMove,
  "vm.define": settleMove,
  "vm.undefine": settleMove,
  "template.copy": async (tx, deps, job, outcome) => {
    await settleTemplateCopy(tx, job, outcome);
    // Creates waiting for this copy go to their hosts, or fail with it (issue 19).
    return { released: await settleWaitingCreates(tx, deps, job, outcome) };
  },
  "pool.define": (tx, _deps, job, outcome) => settlePoolDefine(tx, job, outcome),
  "volume.create": settleVolume,
  "volume.attach": settleVolume,
  "volume.detach": settleVolume,
  "volume.resize": settleVolume,
  "volume.delete": settleVolume,
  "volume.migrate": (tx, deps, job, outcome) => settleVolumeMigration(tx, deps, job, outcome),
  // Its sender (volume.migrate) settles the stream.
  "volume.migrate-receive": NOTHING,
  // Applied after the commit (applyInventory).
  "host.inventory": NOTHING,
  "vm.filter": NOTHING,
  "drift.remove": NOTHING,
  // networks (issue 17)
  "network.define": (tx, _deps, job, outcome) => settleNetworkDefine(tx, job, outcome),
  "network.undefine": NOTHING,
  // console (issue 18): transient, never finalised.
  "console.attach": NOTHING,
  // Core's own parent jobs: driven by their steps (advanceColdMove, advanceHostMaintenance).
  "vm.cold-move": NOTHING,
  "vm.destroy-records": NOTHING,
  "host.maintenance": NOTHING,
};

/** Settles a finished job by its kind's entry in the table. */
export async function settleKind<K extends TJobKind>(tx: Tx, deps: CoreDeps, job: TSettleJob<K>, outcome: TJobOutcome, how: "finalised" | "abandoned"): Promise<TSettled> {
  const settle: TSettle<K> = SETTLE[job.kind];
  return (await settle(tx, deps, job, outcome, how)) ?? {};
}

function parseResult(kind: string, result: unknown): TJobOutcome {
  if (!isJobName(kind)) return { ok: true, result };
  const parsed = JOBS[kind].result.safeParse(result);
  return parsed.success
    ? { ok: true, result: parsed.data }
    : { ok: false, message: `The agent returned a malformed ${kind} result (${parsed.error.issues[0]?.message ?? "invalid"}); check that agent and controller run the same Carve version.` };
}

async function settleVm(
  tx: Tx,
  deps: CoreDeps,
  job: { id: string; kind: string; vmId: string | null; hostId: string | null; request: Prisma.JsonValue },
  outcome: TJobOutcome,
): Promise<void> {
  // Scalars only: volumes and the host's name are read below only on the paths that need them.
  const vm = await tx.vm.findUnique({
    where: { id: job.vmId ?? "" },
    select: { id: true, name: true, state: true, hostId: true, vcpus: true, memoryMiB: true, activeJobId: true },
  });
  const actionName = actionOfJob(job.kind);
  if (!vm || !actionName || vm.activeJobId !== job.id) return;
  const action = VM_ACTIONS[actionName];
  const previous = previousStateOf(job);
  let to: VmState;
  if (outcome.ok) {
    to = actionName === "create" && resultState(outcome.result) === "stopped" ? "Stopped" : action.to;
  } else {
    to = action.onFailure === "previous" ? (previous ?? "Error") : action.onFailure;
  }
  const host = outcome.ok || !vm.hostId ? null : await tx.host.findUnique({ where: { id: vm.hostId }, select: { name: true } });
  const reason = outcome.ok ? null : userMessage(actionName, vm.name, host?.name ?? "its host", outcome.message, to);
  const destroyed = to === "Destroyed";
  await tx.vm.update({
    where: { id: vm.id },
    data: {
      state: to,
      stateReason: reason,
      activeJobId: null,
      ...(destroyed ? { liveName: null, destroyedAt: deps.now(), ipAddress: null } : {}),
    },
  });
  // Its NICs go with it: their MACs and addresses are free for the next VM.
  if (destroyed) await releaseVmAddresses(tx, vm.id);
  // security groups (issue 17): its address no longer lets it in where its groups were a source.
  if (destroyed) await leaveSecurityGroups(tx, deps, SYSTEM_ACTOR, vm.id);
  if (reason) await tx.job.update({ where: { id: job.id }, data: { errorMessage: reason } });
  // console (issue 18): a console lives while the VM runs where it ran (a migration moves it).
  if (to !== "Running" || (actionName === "migrate" && outcome.ok)) {
    await endConsoleSessions(tx, { vmId: vm.id }, to === "Running" ? `${vm.name} moved to another host` : `${vm.name} is ${to}`, deps.now());
  }
  // Capacity follows the state: leaving the states that hold it gives it back, exactly once.
  // A transitional state says nothing about capacity: the state before the action does.
  if (holdsCapacity(previous ?? vm.state) && !holdsCapacity(to) && vm.hostId) {
    await releaseHostCapacity(tx, vm.hostId, vm.vcpus, vm.memoryMiB);
  }
  if (destroyed || (actionName === "create" && !outcome.ok)) {
    const volumes = await tx.volume.findMany({ where: { vmId: vm.id, state: { not: "Deleted" } } });
    // Data volumes outlive their VM unless the destroy listed them (--with-volumes): detached, Ready.
    const deleted = destroyed ? new Set(readJobRequest("vm.destroy", job).payload.volumes.map((v) => v.volumeId)) : null;
    for (const volume of volumes) {
      if (deleted && volume.kind === "Data" && !deleted.has(volume.id)) {
        await tx.volume.update({ where: { id: volume.id }, data: { vmId: null, deviceIndex: null, state: "Ready", stateReason: `detached when VM ${vm.name} was destroyed` } });
        continue;
      }
      await tx.volume.update({
        where: { id: volume.id },
        data: destroyed ? { state: "Deleted", deletedAt: deps.now() } : { state: "Error", stateReason: reason },
      });
      await releasePoolBytes(tx, volume.poolId, volume.sizeGiB);
    }
  } else if (outcome.ok && actionName === "create") {
    const path = resultPath(outcome.result);
    await tx.volume.updateMany({ where: { vmId: vm.id, kind: "Root" }, data: { state: "Attached", ...(path ? { path } : {}) } });
    await tx.volume.updateMany({ where: { vmId: vm.id, kind: "Data", state: "Allocating" }, data: { state: "Attached" } });
  }
  await recordEvent(tx, {
    type: "vm.state",
    actor: SYSTEM_ACTOR,
    vmId: vm.id,
    hostId: vm.hostId,
    jobId: job.id,
    fromState: vm.state,
    toState: to,
    message: reason ?? `${vm.name} is ${to}`,
  });
}

function resultState(result: unknown): string | undefined {
  return result && typeof result === "object" && "state" in result ? String(result.state) : undefined;
}

function resultPath(result: unknown): string | undefined {
  return result && typeof result === "object" && "rootVolumePath" in result ? String(result.rootVolumePath) : undefined;
}

/** What the VM's owner reads: what failed, the hypervisor's own words, and what to do next. */
function userMessage(action: string, vmName: string, hostName: string, agentMessage: string, to: VmState): string {
  const next = to === "Error" ? "Destroy it and try again, or ask an admin to check the host." : `It is ${to} again; try again, or ask an admin to check the host.`;
  return `${action} of ${vmName} failed on ${hostName}: ${clause(agentMessage)}. ${next}`;
}
