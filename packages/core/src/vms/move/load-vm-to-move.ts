import type { Tx } from "@carve/db";
import type { TActor } from "../../identity/actor.ts";
import { CarveError } from "../../errors/index.ts";
import { findVmForActor } from "../find-vm.ts";
import { loadMovingVms, type TMovingVm } from "./move-targets.ts";
import { vmBusyError } from "../run-vm-action.ts";
import { way } from "../../errors/front-door-ways.ts";

/** The VM an admin (or maintenance) moves, with its volumes and offering; it must be on a host. */
export async function loadVmToMove(tx: Tx, actor: TActor, ref: string): Promise<TMovingVm> {
  const { id } = await findVmForActor(tx, actor, ref);
  const [vm] = await loadMovingVms(tx, { id });
  if (!vm) throw new CarveError("VM_NOT_FOUND", `No VM '${ref}' among the VMs you can manage. List them with ${way("vms")}.`);
  if (!vm.hostId) throw new CarveError("INVALID_STATE", `VM ${vm.name} is on no host (it is ${vm.state}); there is nothing to move.`);
  return vm;
}

/** VM_BUSY for a VM another job holds (or got first, when a claim found it taken). */
export async function busy(tx: Tx, vm: { id: string; name: string; activeJobId: string | null }): Promise<CarveError> {
  const current = vm.activeJobId ?? (await tx.vm.findUnique({ where: { id: vm.id }, select: { activeJobId: true } }))?.activeJobId;
  return current ? vmBusyError(tx, { name: vm.name, activeJobId: current }) : new CarveError("VM_BUSY", `VM ${vm.name} changed meanwhile. Look at it again, then try again.`);
}
