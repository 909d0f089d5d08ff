import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { destroyVmRecords } from "./destroy-vm-records.ts";
import { findVmForActor } from "./find-vm.ts";
import { runVmAction } from "./run-vm-action.ts";
import { ZVmRefInput } from "./start-vm.ts";

export const ZDestroyVmInput = ZVmRefInput.extend({
  /** Also delete its data volumes; by default they are kept, detached (Ready), as CloudStack does. */
  withVolumes: z.boolean({ error: "must be true or false" }).default(false),
});

/**
 * Destroys a VM and deletes its root disk; its data volumes are detached and kept unless
 * `withVolumes`. Its name becomes free again. Returns the job to watch. A VM whose host was
 * declared dead (Lost, or left there) has no agent to ask: its records alone go (destroyVmRecords).
 */
export async function destroyVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  const { vm, withVolumes } = parseInput(ZDestroyVmInput, input);
  const found = await findVmForActor(deps.db, actor, vm);
  const row = await deps.db.vm.findUniqueOrThrow({ where: { id: found.id }, select: { state: true, host: { select: { state: true } } } });
  if (row.state === "Lost" || row.host?.state === "Dead") return destroyVmRecords(deps, actor, found.id);
  return runVmAction(deps, actor, vm, "destroy", (v) => ({
    vmId: v.id,
    volumes: v.volumes.filter((vol) => withVolumes || vol.kind === "Root").map((vol) => ({ volumeId: vol.id, pool: vol.pool.libvirtName, name: vol.libvirtName })),
  }));
}
