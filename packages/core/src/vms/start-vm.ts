import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { runVmAction } from "./run-vm-action.ts";

export const ZVmRefInput = z.object({
  vm: z.string({ error: "is required: give the VM's name or id" }).min(1, "is required: give the VM's name or id").max(100, "is longer than 100 characters: give the VM's name or id"),
});

/** Starts a stopped VM. Returns the job to watch. */
export async function startVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  const { vm } = parseInput(ZVmRefInput, input);
  return runVmAction(deps, actor, vm, "start", (v) => ({ vmId: v.id }));
}
