import type { Job } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../../context.ts";
import { CarveError } from "../../errors/index.ts";
import { resolveHost } from "../../hosts/resolve-host.ts";
import { requireAdmin, type TActor } from "../../identity/actor.ts";
import { dispatchJob } from "../../jobs/dispatch-job.ts";
import { gibBytes } from "../../hosts/capacity.ts";
import { readMigrationSettings } from "../../settings/migration-settings.ts";
import { parseInput } from "../../validation/parse-input.ts";
import { findVmForActor } from "../find-vm.ts";
import { busy, loadVmToMove } from "./load-vm-to-move.ts";
import { moveStoppedVm } from "./move-stopped-vm.ts";
import type { TMovingVm } from "./move-targets.ts";
import { recordMoveJob } from "./record-move-job.ts";
import { reserveMoveTarget, type TReservedTarget } from "./reserve-move-target.ts";
import { ZVmRefInput } from "../start-vm.ts";

export const ZMigrateVmInput = ZVmRefInput.extend({
  /** The host to move to; placement chooses when absent. */
  host: z.string().min(1, "must name a host").max(100, "is longer than 100 characters: give the host's name or id").optional(),
}).strict();

/**
 * Moves a VM to another host (admins only): a stopped VM moves cold (moveStoppedVm, its local
 * disks copied along); a running one live-migrates, without stopping it: to the host
 * named, or the one placement ranks best. Disks on shared storage stay where they are and only
 * memory moves; disks on the source host's local storage are copied to a local pool of the target
 * (libvirt's copy-storage). The VM is Migrating meanwhile and Running afterwards on whichever host
 * it ended on; the target's capacity is reserved now and the source's released on success. A
 * refusal says why: the VM is not running, or every host and why it cannot take it. Returns the
 * `vm.migrate` job (on the source host's queue) to watch.
 */
export async function migrateVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  requireAdmin(actor, "migrate VMs between hosts");
  const { vm, host } = parseInput(ZMigrateVmInput, input);
  // A stopped VM moves cold (with its local disks copied along); anything else is a live migration.
  const found = await findVmForActor(deps.db, actor, vm);
  const state = await deps.db.vm.findUnique({ where: { id: found.id }, select: { state: true } });
  if (state?.state === "Stopped") return moveStoppedVm(deps, actor, found.id, { host });
  return startLiveMigration(deps, actor, vm, { host });
}

/** The live migration itself, also started by host maintenance (`parentJobId`: its Job). */
export async function startLiveMigration(deps: CoreDeps, actor: TActor, ref: string, options: { host?: string | undefined; parentJobId?: string | undefined }): Promise<Job> {
  const job = await deps.db.$transaction(async (tx) => {
    const vm = await loadVmToMove(tx, actor, ref);
    if (vm.activeJobId) throw await busy(tx, vm);
    if (vm.state !== "Running") {
      throw new CarveError(
        "INVALID_STATE",
        `Cannot live-migrate VM ${vm.name}: it is ${vm.state}, and only a running VM live-migrates. A stopped VM moves cold ('carve vm migrate ${vm.name} --host HOST'); start or stop it first.`,
      );
    }
    const source = await tx.host.findUniqueOrThrow({ where: { id: vm.hostId ?? "" }, select: { id: true, name: true } });
    const onlyHostId = options.host === undefined ? undefined : (await resolveHost(tx, options.host)).id;
    if (onlyHostId === source.id) {
      throw new CarveError("INVALID_INPUT", `VM ${vm.name} already runs on ${source.name}; name another host, or leave the host out and placement chooses.`, {
        fields: [{ field: "host", message: `is the VM's current host` }],
      });
    }
    const target = await reserveMoveTarget(tx, vm, { live: true, onlyHostId });
    const { timeoutSec } = await readMigrationSettings(tx);
    const copies = target.choice.localVolumes.length;
    const storage = copies > 0 ? `copying ${copies} local disk${copies > 1 ? "s" : ""} (${target.choice.localGiB} GiB) to pool ${target.pool.name}` : "shared storage, memory only";
    return recordMoveJob(tx, deps, actor, {
      vm,
      source,
      target,
      from: "Running",
      kind: "vm.migrate",
      hostId: source.id,
      payload: migratePayload(vm, target, timeoutSec),
      parentJobId: options.parentJobId,
      message: `live migration of ${vm.name} from ${source.name} to ${target.host.name} requested (${storage})`,
    });
  });
  await dispatchJob(deps, job);
  return job;
}

function migratePayload(vm: TMovingVm, target: TReservedTarget, timeoutSec: number): TJobPayload<"vm.migrate"> {
  // reserveMoveTarget only offers hosts with a migration URI for a live move.
  const uri = target.host.migrationUri ?? "";
  return {
    vmId: vm.id,
    destination: {
      hostName: target.host.name,
      uri,
      ...(target.host.migrationAddress ? { address: target.host.migrationAddress } : {}),
      ...(target.host.consoleLogDir ? { consoleLogDir: target.host.consoleLogDir } : {}),
    },
    disks: target.choice.localVolumes.map((v) => ({
      source: { volumeId: v.id, pool: v.pool.libvirtName, name: v.libvirtName },
      target: { volumeId: v.id, pool: target.pool.libvirtName, name: v.libvirtName },
      capacityBytes: Number(gibBytes(v.sizeGiB)),
      // Root disks are qcow2 clones and data volumes thin qcow2 files.
      format: "qcow2" as const,
    })),
    // The disks that stay are on Shared pools the target sees (move-targets checked it).
    trustSharedStorage: vm.volumes.some((v) => v.pool.scope === "Shared"),
    timeoutSec,
    // The destination's network DHCP/DNS must know the VM's MACs and addresses before it arrives.
    ...(vm.nics && vm.nics.length > 0 ? { nics: vm.nics } : {}),
    // The source's agent defines the VM's filter on the destination (through the destination's
    // libvirt, just before `virsh migrate`): a separate vm.filter job on the destination's queue
    // could run after the migration, and QEMU cannot start the NIC there without it.
    ...(vm.filter ? { filter: vm.filter } : {}),
  };
}
