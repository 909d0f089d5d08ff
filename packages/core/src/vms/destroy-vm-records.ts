import { randomUUID } from "node:crypto";
import type { Job, Tx } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { endConsoleSessions } from "../console/end-console-sessions.ts";
import { recordEvent } from "../events/record-event.ts";
import { releaseHostCapacity, releasePoolBytes } from "../hosts/capacity.ts";
import { poolsOnlyOn } from "../hosts/dead-host-vms.ts";
import { actorId, type TActor } from "../identity/actor.ts";
import { jobRequest } from "../jobs/job-request.ts";
import { releaseVmAddresses } from "../networks/ipam/release-vm-addresses.ts";
import { leaveSecurityGroups } from "../security-groups/filter-jobs.ts";
import { vmBusyError } from "./run-vm-action.ts";
import { holdsCapacity } from "./vm-state-machine.ts";

/** The Job kind of a destroy that had nothing to ask an agent (no queue: a null host keeps the sweep away). */
export const DESTROY_RECORDS_JOB = "vm.destroy-records";

/**
 * Destroys a VM whose host was declared dead (a Lost VM, or one left there): no agent can answer,
 * so only the records change, in one transaction. Its name, address and share of the host are
 * freed; its disks on the dead host's own storage are Deleted (they went with the host); its disks
 * on storage other hosts see are kept, detached (Ready), to delete with 'carve volume delete' or
 * attach elsewhere. Records a Job that is already Succeeded, so front doors wait on it as on any
 * destroy. Its usage history stays.
 */
export async function destroyVmRecords(deps: CoreDeps, actor: TActor, vmId: string): Promise<Job> {
  return deps.db.$transaction(async (tx) => destroyVmRecordsIn(tx, deps, actor, vmId));
}

/** destroyVmRecords in the caller's transaction (a re-create frees the name and address first). */
export async function destroyVmRecordsIn(tx: Tx, deps: CoreDeps, actor: TActor, vmId: string): Promise<Job> {
    const vm = await tx.vm.findUniqueOrThrow({
      where: { id: vmId },
      select: { id: true, name: true, state: true, hostId: true, vcpus: true, memoryMiB: true, activeJobId: true, host: { select: { name: true } }, volumes: { where: { state: { not: "Deleted" } } } },
    });
    if (vm.activeJobId) throw await vmBusyError(tx, { name: vm.name, activeJobId: vm.activeJobId });
    const jobId = randomUUID();
    const now = deps.now();
    const claimed = await tx.vm.updateMany({
      where: { id: vm.id, activeJobId: null, state: vm.state },
      data: { state: "Destroyed", stateReason: null, liveName: null, destroyedAt: now, ipAddress: null },
    });
    if (claimed.count === 0) throw await vmBusyError(tx, { name: vm.name, activeJobId: "(changed meanwhile)" });
    const gone = new Set(vm.hostId ? (await poolsOnlyOn(tx, vm.hostId)).map((p) => p.id) : []);
    const kept: string[] = [];
    for (const volume of vm.volumes) {
      if (gone.has(volume.poolId)) {
        await tx.volume.update({ where: { id: volume.id }, data: { state: "Deleted", deletedAt: now, stateReason: `went with host ${vm.host?.name ?? "?"}` } });
        await releasePoolBytes(tx, volume.poolId, volume.sizeGiB);
      } else {
        kept.push(volume.name);
        await tx.volume.update({ where: { id: volume.id }, data: { vmId: null, deviceIndex: null, state: "Ready", stateReason: `detached when VM ${vm.name} was destroyed after its host was declared dead` } });
      }
    }
    if (vm.hostId && holdsCapacity(vm.state)) await releaseHostCapacity(tx, vm.hostId, vm.vcpus, vm.memoryMiB);
    await releaseVmAddresses(tx, vm.id);
    await leaveSecurityGroups(tx, deps, actor, vm.id);
    await endConsoleSessions(tx, { vmId: vm.id }, `${vm.name} was destroyed`, now);
    const keptNote = kept.length > 0 ? `; its disks on shared storage were kept, detached (${kept.join(", ")}): delete them with 'carve volume delete NAME'` : "";
    const message = `${vm.name} destroyed (records only: its host ${vm.host?.name ?? "?"} was declared dead)${keptNote}`;
    const job = await tx.job.create({
      data: { id: jobId, kind: DESTROY_RECORDS_JOB, state: "Succeeded", actorId: actorId(actor), vmId: vm.id, hostId: null, request: jobRequest(DESTROY_RECORDS_JOB, { previousState: vm.state, kept }), step: message, createdAt: now, startedAt: now, finishedAt: now },
    });
    await recordEvent(tx, { type: "vm.state", actor, vmId: vm.id, hostId: vm.hostId, jobId, fromState: vm.state, toState: "Destroyed", message });
    return job;
}
