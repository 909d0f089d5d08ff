import type { TJobHandler } from "./context.ts";

/**
 * network.undefine: stops and undefines a managed network Carve defined here (its network was
 * deleted in Carve, or this host taken off it). Idempotent: one already gone is fine.
 */
export const networkUndefine: TJobHandler<"network.undefine"> = async (payload, ctx) => {
  await ctx.reportProgress({ percent: 10, step: `removing libvirt network ${payload.name}` });
  const removed = await ctx.hypervisor.undefineNetwork(payload.name);
  return { networkId: payload.networkId, name: payload.name, removed };
};
