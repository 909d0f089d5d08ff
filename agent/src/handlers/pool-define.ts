import type { TJobHandler } from "./context.ts";

/**
 * pool.define: defines, builds, starts and autostarts the pool in libvirt, adopting one that
 * already has the same target (under any name). Idempotent; the result carries the pool's name on
 * this host and its capacity, from which core decides Up or Unhealthy.
 */
export const poolDefine: TJobHandler<"pool.define"> = async (payload, ctx) => {
  await ctx.reportProgress({ percent: 10, step: "defining the pool" });
  const { name, adopted, status } = await ctx.hypervisor.definePool({ name: payload.name, kind: payload.kind, path: payload.path, source: payload.source });
  await ctx.reportProgress({ percent: 100, step: adopted ? `adopted libvirt pool ${name}` : "defined" });
  return {
    poolId: payload.poolId,
    name,
    adopted,
    capacityBytes: status.capacityBytes,
    allocationBytes: status.allocationBytes,
    availableBytes: status.availableBytes,
  };
};
