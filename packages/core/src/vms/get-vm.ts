import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "./find-vm.ts";
import { ZVmRefInput } from "./start-vm.ts";
import { toVmView, VM_VIEW_SELECT, type TVmView } from "./vm-view.ts";

/** One VM the actor may see, with its host, template, offering, volumes, addresses and running job. */
export async function getVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<TVmView> {
  const { vm } = parseInput(ZVmRefInput, input);
  const { id } = await findVmForActor(deps.db, actor, vm);
  return toVmView(await deps.db.vm.findUniqueOrThrow({ where: { id }, select: VM_VIEW_SELECT }));
}
