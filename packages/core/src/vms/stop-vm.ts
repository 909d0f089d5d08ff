import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { runVmAction } from "./run-vm-action.ts";
import { ZVmRefInput } from "./start-vm.ts";

export const ZStopVmInput = ZVmRefInput.extend({
  /** Skip the graceful shutdown and power the VM off at once. */
  force: z.boolean().default(false),
  /** Seconds to wait for the guest to shut down before forcing it off. */
  timeoutSec: z.number().int().min(0, "must be 0 or more").max(3600, "must be at most 3600 seconds").default(60),
}).strict();

/**
 * Stops a VM: an ACPI shutdown first, and if the guest is still running after `timeoutSec`, a
 * forced power-off (the job result says so). Returns the job to watch.
 */
export async function stopVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  const { vm, force, timeoutSec } = parseInput(ZStopVmInput, input);
  return runVmAction(deps, actor, vm, "stop", (v) => ({ vmId: v.id, force, gracefulTimeoutSec: timeoutSec }));
}
