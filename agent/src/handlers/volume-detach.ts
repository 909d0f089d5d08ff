import { diskTarget, domainName } from "@carve/protocol";
import type { TJobHandler } from "./context.ts";

/** volume.detach: unplugs the disk (live and persistent) or drops it from a stopped VM's definition; none there is a success. */
export const volumeDetach: TJobHandler<"volume.detach"> = async (payload, ctx) => {
  const { live, alreadyDetached } = await ctx.hypervisor.detachDisk(domainName(payload.vmId), diskTarget(payload.deviceIndex));
  return { volumeId: payload.volumeId, vmId: payload.vmId, live, alreadyDetached };
};
