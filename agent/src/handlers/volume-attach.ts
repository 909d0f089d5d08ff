import { diskTarget, domainName } from "@carve/protocol";
import { JobRefusedError } from "../jobs/job-errors.ts";
import type { TJobHandler } from "./context.ts";

/**
 * volume.attach: hot-plugs the volume into the running VM (and its persistent definition), or adds
 * it to a stopped VM's definition. The same disk already at its target is a success (a retry).
 */
export const volumeAttach: TJobHandler<"volume.attach"> = async (payload, ctx) => {
  const path = await ctx.hypervisor.volumePath(payload.pool, payload.name);
  if (path === null) throw new JobRefusedError(`volume ${payload.name} is not in pool ${payload.pool} on this host`);
  const target = diskTarget(payload.deviceIndex);
  const { live, alreadyAttached } = await ctx.hypervisor.attachDisk(domainName(payload.vmId), { path, format: "qcow2", target });
  return { volumeId: payload.volumeId, vmId: payload.vmId, target, live, alreadyAttached };
};
