import type { Job, Tx, VmState } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { endConsoleSessions } from "../console/end-console-sessions.ts";
import { isCarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR, type TActor } from "../identity/actor.ts";
import { definePayload } from "../vms/move/define-payload.ts";
import { loadMovingVms, type TMovingVm } from "../vms/move/move-targets.ts";
import { recordMoveJob } from "../vms/move/record-move-job.ts";
import { reserveMoveTarget } from "../vms/move/reserve-move-target.ts";
import { holdsCapacity } from "../vms/vm-state-machine.ts";
import { releaseHostCapacity } from "./capacity.ts";

/** What became of one VM of a host declared dead. */
export interface TDeadHostVm {
  name: string;
  owner: string;
  outcome: "restarting" | "moving" | "lost" | "stopped" | "error" | "busy";
  /** The host it is restarted (or defined) on. */
  host?: string;
  /** Why it went where it went: the lost disks, or placement's reasons. */
  reason: string;
  jobId?: string;
}

/**
 * Settles the VMs of a host just declared dead, in the declaration's transaction:
 * - a disk on the dead host's own storage (a pool no other live host sees): the VM is Lost, its
 *   records and usage kept, its share of the host given back;
 * - every disk on storage other hosts see: it is defined on the host placement picks (as for any
 *   move: every refusal named) and started there when it ran before (vm.define with `start`, one
 *   job each, sent by the caller after the commit); when no host can take it, it stays Stopped on
 *   record with placement's reasons, to move with 'carve vm migrate' once there is room.
 * Owners are told through the VMs' events (a `vm.host-dead` or system `vm.state` event: the Slack DM
 * path for changes nobody asked for). The host's pools that nobody else sees become Unhealthy.
 */
export async function settleDeadHostVms(tx: Tx, deps: CoreDeps, actor: TActor, host: { id: string; name: string }): Promise<{ vms: TDeadHostVm[]; jobs: Job[] }> {
  const who = actor.kind === "user" ? actor.username : "the system";
  const lostPools = await poolsOnlyOn(tx, host.id);
  for (const pool of lostPools) {
    await tx.storagePool.update({ where: { id: pool.id }, data: { state: "Unhealthy", stateReason: `its host ${host.name} was declared dead` } });
  }
  const lostPoolIds = new Set(lostPools.map((p) => p.id));
  // Detached volumes on storage that died with the host cannot be reached again: their records end here.
  await tx.volume.updateMany({
    where: { poolId: { in: [...lostPoolIds] }, vmId: null, state: { notIn: ["Deleted"] } },
    data: { state: "Deleted", deletedAt: deps.now(), stateReason: `lost with host ${host.name}, declared dead by ${who}` },
  });
  const vms = await loadMovingVms(tx, { hostId: host.id });
  const owners = new Map((await tx.vm.findMany({ where: { id: { in: vms.map((v) => v.id) } }, select: { id: true, owner: { select: { username: true } } } })).map((v) => [v.id, v.owner.username]));
  const settled: TDeadHostVm[] = [];
  const jobs: Job[] = [];
  for (const vm of vms) {
    const owner = owners.get(vm.id) ?? "";
    if (vm.activeJobId) {
      settled.push({ name: vm.name, owner, outcome: "busy", reason: `a job (${vm.activeJobId}) still holds it; settle it with 'carve vm migrate ${vm.name}' or 'carve vm destroy ${vm.name}' once that job ends` });
      continue;
    }
    const lostDisks = vm.volumes.filter((v) => lostPoolIds.has(v.pool.id));
    if (lostDisks.length > 0) {
      settled.push({ name: vm.name, owner, outcome: "lost", reason: await markLost(tx, deps, vm, host, who, lostDisks) });
      continue;
    }
    if (vm.state === "Error") {
      // A VM that had failed before its host died is not brought back on its own.
      const reason = `host ${host.name} was declared dead by ${who} while ${vm.name} was in Error; destroy it ('carve vm destroy ${vm.name}': records only, its disks on shared storage are kept detached)`;
      await setState(tx, deps, vm, host.id, "Error", reason);
      settled.push({ name: vm.name, owner, outcome: "error", reason });
      continue;
    }
    const wasRunning = vm.state === "Running" || (vm.state === "Unknown" && (await stateBeforeUnknown(tx, vm.id)) !== "Stopped");
    try {
      const target = await reserveMoveTarget(tx, vm, { live: false, requireTemplate: true });
      const verb = wasRunning ? "restarting" : "defining (stopped, as it was)";
      const message = `host ${host.name} was declared dead by ${who}; ${verb} ${vm.name} on ${target.host.name} from its disks on shared storage`;
      const job = await recordMoveJob(tx, deps, actor, {
        vm,
        source: host,
        target,
        from: vm.state,
        kind: "vm.define",
        hostId: target.host.id,
        payload: { ...definePayload(vm), start: wasRunning },
        parentJobId: undefined,
        message,
      });
      await endConsoleSessions(tx, { vmId: vm.id }, `${vm.name}'s host ${host.name} was declared dead`, deps.now());
      // The owner's news (recordMoveJob's event is the admin's request, which Slack does not DM).
      // No state on it: the VM is Migrating until the job's outcome, which tells the owner again.
      await recordEvent(tx, { type: "vm.host-dead", actor: SYSTEM_ACTOR, vmId: vm.id, hostId: target.host.id, message });
      jobs.push(job);
      settled.push({ name: vm.name, owner, outcome: wasRunning ? "restarting" : "moving", host: target.host.name, reason: message, jobId: job.id });
    } catch (error) {
      if (!isCarveError(error) || error.code !== "NO_CAPACITY") throw error;
      const reason = `host ${host.name} was declared dead by ${who} and no other host can take ${vm.name} now: ${error.message} Its disks are on shared storage and intact: once there is room, an admin moves it with 'carve vm migrate ${vm.name}', then start it.`;
      await setState(tx, deps, vm, host.id, "Stopped", reason);
      settled.push({ name: vm.name, owner, outcome: "stopped", reason });
    }
  }
  return { vms: settled, jobs };
}

/** The VM is Lost: what is gone, and the two ways out. Its share of the dead host is given back. */
async function markLost(tx: Tx, deps: CoreDeps, vm: TMovingVm, host: { id: string; name: string }, who: string, lostDisks: TMovingVm["volumes"]): Promise<string> {
  const template = await tx.template.findUnique({ where: { id: vm.templateId }, select: { name: true } });
  const disks = lostDisks.map((d) => `${d.kind === "Root" ? "root disk" : `data disk ${d.libvirtName}`} (pool ${d.pool.name})`).join(", ");
  const reason = `host ${host.name} was declared dead by ${who}, and ${vm.name}'s ${disks} on that host's own storage went with it. Destroy it ('carve vm destroy ${vm.name}': records only) or re-create it from template ${template?.name ?? "its template"} with the same name and address ('carve vm recreate ${vm.name}').`;
  if (holdsCapacity(vm.state)) await releaseHostCapacity(tx, host.id, vm.vcpus, vm.memoryMiB);
  await setState(tx, deps, vm, host.id, "Lost", reason);
  return reason;
}

async function setState(tx: Tx, deps: CoreDeps, vm: TMovingVm, hostId: string, to: VmState, reason: string): Promise<void> {
  await tx.vm.update({ where: { id: vm.id }, data: { state: to, stateReason: reason } });
  await endConsoleSessions(tx, { vmId: vm.id }, `${vm.name} is ${to}`, deps.now());
  // A system event without a job: the owner is DMed, as for any change nobody asked for.
  await recordEvent(tx, { type: "vm.state", actor: SYSTEM_ACTOR, vmId: vm.id, hostId, fromState: vm.state, toState: to, message: `${vm.name} is ${to}: ${reason}` });
}

/** Whether an Unknown VM was running before its host fell silent (its last change to Unknown says). */
async function stateBeforeUnknown(tx: Tx, vmId: string): Promise<string | null> {
  const event = await tx.event.findFirst({ where: { vmId, type: "vm.state", toState: "Unknown" }, orderBy: { id: "desc" }, select: { fromState: true } });
  return event?.fromState ?? null;
}

/** The pools this host sees that no other live host (not Removed, not Dead) sees: its own storage. */
export async function poolsOnlyOn(tx: Tx, hostId: string): Promise<{ id: string; name: string }[]> {
  const pools = await tx.storagePool.findMany({
    where: { state: { not: "Removed" }, hosts: { some: { hostId } } },
    select: { id: true, name: true, hosts: { select: { host: { select: { id: true, state: true } } } } },
    orderBy: { name: "asc" },
  });
  return pools.filter((p) => p.hosts.every(({ host }) => host.id === hostId || host.state === "Removed" || host.state === "Dead")).map(({ id, name }) => ({ id, name }));
}
