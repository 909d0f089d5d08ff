import type { TJobHandler } from "./context.ts";

/** volume.delete: removes the volume from its pool; one already gone is a success. */
export const volumeDelete: TJobHandler<"volume.delete"> = async (payload, ctx) => {
  const removed = await ctx.hypervisor.deleteVolume(payload.pool, payload.name);
  return { volumeId: payload.volumeId, removed };
};
