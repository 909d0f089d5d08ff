import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { runVmAction } from "./run-vm-action.ts";
import { ZVmRefInput } from "./start-vm.ts";

export const ZDestroyVmInput = ZVmRefInput.extend({
  /** Also delete its data volumes; by default they are kept, detached (Ready), as CloudStack does. */
  withVolumes: z.boolean({ error: "must be true or false" }).default(false),
});

/**
 * Destroys a VM and deletes its root disk; its data volumes are detached and kept unless
 * `withVolumes`. Its name becomes free again. Returns the job to watch.
 */
export async function destroyVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  const { vm, withVolumes } = parseInput(ZDestroyVmInput, input);
  return runVmAction(deps, actor, vm, "destroy", (v) => ({
    vmId: v.id,
    volumes: v.volumes.filter((vol) => withVolumes || vol.kind === "Root").map((vol) => ({ volumeId: vol.id, pool: vol.pool.libvirtName, name: vol.libvirtName })),
  }));
}
