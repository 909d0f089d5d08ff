import type { Job } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { runVmAction } from "./run-vm-action.ts";
import { ZVmRefInput } from "./start-vm.ts";

/** Reboots a running VM. Returns the job to watch. */
export async function rebootVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  const { vm } = parseInput(ZVmRefInput, input);
  return runVmAction(deps, actor, vm, "reboot", (v) => ({ vmId: v.id }));
}
