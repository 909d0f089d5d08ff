import { randomUUID } from "node:crypto";
import type { Job, Tx, VmState } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, type TActor } from "../identity/actor.ts";
import { jobRequest, type TJobRequestInput } from "../jobs/job-request.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { findVmForActor } from "./find-vm.ts";
import { actionsFrom, VM_ACTIONS, type TVmActionName } from "./vm-state-machine.ts";

export interface TVmActionVm {
  id: string;
  name: string;
  hostId: string | null;
  volumes: { id: string; kind: "Root" | "Data"; libvirtName: string; pool: { libvirtName: string } }[];
}

/**
 * Starts an action on an existing VM: claims the VM for one job (a second request gets VM_BUSY
 * naming the running job), moves it to the action's transitional state, records the Job and an
 * event in one transaction, then sends the job to the VM's host. `alsoRecord` adds rows of its
 * own to that transaction (a password reveal), so they exist exactly when the job does.
 */
export async function runVmAction(
  deps: CoreDeps,
  actor: TActor,
  ref: string,
  actionName: TVmActionName,
  payloadOf: (vm: TVmActionVm) => Record<string, unknown>,
  alsoRecord?: (tx: Tx, job: Job) => Promise<void>,
): Promise<Job> {
  const action = VM_ACTIONS[actionName];
  const jobId = randomUUID();
  const job = await deps.db.$transaction(async (tx) => {
    const { id } = await findVmForActor(tx, actor, ref);
    const vm = await tx.vm.findUniqueOrThrow({
      where: { id },
      select: {
        id: true,
        name: true,
        state: true,
        hostId: true,
        activeJobId: true,
        host: { select: { name: true, state: true } },
        volumes: { where: { state: { not: "Deleted" } }, select: { id: true, kind: true, libvirtName: true, pool: { select: { libvirtName: true } } } },
      },
    });
    if (vm.host?.state === "Dead") throw onDeadHost({ ...vm, host: vm.host }, actionName);
    const claimed = await tx.vm.updateMany({
      where: { id, activeJobId: null, state: { in: [...action.from] as VmState[] } },
      data: { state: action.during, activeJobId: jobId },
    });
    if (claimed.count === 0) await explainRefusal(tx, vm, actionName);
    const created = await tx.job.create({
      data: {
        id: jobId,
        kind: action.job,
        actorId: actorId(actor),
        vmId: id,
        hostId: vm.hostId,
        // payloadOf types it loosely (one helper for every action): jobRequest checks it against the action's kind.
        request: jobRequest(action.job, { payload: payloadOf(vm), previousState: vm.state } as TJobRequestInput<typeof action.job>),
        // Core's clock, like the sweep and the watchdog that measure the job's age against it.
        createdAt: deps.now(),
      },
    });
    await recordEvent(tx, {
      type: "vm.state",
      actor,
      vmId: id,
      hostId: vm.hostId,
      jobId,
      fromState: vm.state,
      toState: action.during,
      message: `${actionName} requested for ${vm.name}`,
    });
    await alsoRecord?.(tx, created);
    return created;
  });
  await dispatchJob(deps, job);
  return job;
}

async function explainRefusal(
  tx: Tx,
  vm: { id: string; name: string; state: VmState; activeJobId: string | null },
  actionName: TVmActionName,
): Promise<never> {
  if (vm.activeJobId) throw await vmBusyError(tx, { name: vm.name, activeJobId: vm.activeJobId });
  const next = actionsFrom(vm.state);
  const hint = next.length > 0 ? `From ${vm.state} you can: ${next.join(", ")}.` : "Wait until it settles.";
  throw new CarveError("INVALID_STATE", `Cannot ${actionName} VM ${vm.name}: it is ${vm.state}. ${hint}`);
}

/**
 * A VM left on a host declared dead (issue 19): no agent there will ever take the job, so the
 * request is refused at once with the way out, instead of a job that waits for a dead host.
 */
function onDeadHost(vm: { name: string; state: VmState; host: { name: string } }, actionName: TVmActionName): CarveError {
  const why = `Cannot ${actionName} VM ${vm.name}: its host ${vm.host.name} was declared dead, so nothing can run there any more.`;
  const wayOut =
    vm.state === "Lost"
      ? `Re-create it from its template with the same name and address ('carve vm recreate ${vm.name}'), or destroy it ('carve vm destroy ${vm.name}': records only).`
      : `Its disks are on shared storage: an admin moves it to a live host ('carve vm migrate ${vm.name}'), then ${actionName} it there; or destroy it ('carve vm destroy ${vm.name}': records only).`;
  return new CarveError("INVALID_STATE", `${why} ${wayOut}`);
}

/** VM_BUSY naming the job the VM is busy with (a second request for a VM that has one running). */
export async function vmBusyError(tx: Tx, vm: { name: string; activeJobId: string }): Promise<CarveError> {
  const running = await tx.job.findUnique({ where: { id: vm.activeJobId }, select: { id: true, kind: true, state: true } });
  const what = running ? `${running.kind} (job ${running.id}, ${running.state})` : `job ${vm.activeJobId}`;
  return new CarveError("VM_BUSY", `VM ${vm.name} is busy with ${what}. Wait for it to finish, then try again.`, {
    details: { jobId: vm.activeJobId },
  });
}
