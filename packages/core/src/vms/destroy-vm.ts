import type { Job } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { runVmAction } from "./run-vm-action.ts";
import { ZVmRefInput } from "./start-vm.ts";

/** Destroys a VM and deletes its volumes; its name becomes free again. Returns the job to watch. */
export async function destroyVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  const { vm } = parseInput(ZVmRefInput, input);
  return runVmAction(deps, actor, vm, "destroy", (v) => ({
    vmId: v.id,
    volumes: v.volumes.map((vol) => ({ volumeId: vol.id, pool: vol.pool.libvirtName, name: vol.libvirtName })),
  }));
}
