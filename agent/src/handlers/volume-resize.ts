import { diskTarget, domainName } from "@carve/protocol";
import type { TJobHandler } from "./context.ts";

/**
 * volume.resize: grows the volume; a disk of a running VM through the domain (blockresize), so the
 * guest sees the new size at once. Growing to the size it has is a no-op, so a retry converges.
 */
export const volumeResize: TJobHandler<"volume.resize"> = async (payload, ctx) => {
  const { hypervisor } = ctx;
  const { attachedTo } = payload;
  if (attachedTo !== undefined) {
    const domain = domainName(attachedTo.vmId);
    const status = await hypervisor.getDomain(domain);
    if (status?.state === "running" || status?.state === "paused") {
      await hypervisor.resizeDiskLive(domain, diskTarget(attachedTo.deviceIndex), payload.sizeGiB);
      return { volumeId: payload.volumeId, sizeGiB: payload.sizeGiB, live: true };
    }
  }
  await hypervisor.resizeVolume(payload.pool, payload.name, payload.sizeGiB);
  return { volumeId: payload.volumeId, sizeGiB: payload.sizeGiB, live: false };
};
