import type { TJobHandler } from "./context.ts";

/** volume.create: an empty thin qcow2 data volume; idempotent by volume id (its libvirt name). */
export const volumeCreate: TJobHandler<"volume.create"> = async (payload, ctx) => {
  const { path, alreadyPresent } = await ctx.hypervisor.createDataVolume(payload.pool, payload.name, payload.sizeGiB);
  return { volumeId: payload.volumeId, path, alreadyPresent };
};
