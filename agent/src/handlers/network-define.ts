import type { TJobHandler } from "./context.ts";

/**
 * network.define: a managed network is defined, started and autostarted in libvirt (one with the
 * same name or bridge is adopted, never redefined); a bridge network's bridge must exist here.
 * Idempotent; the result says what the host has, from which core decides Up or Unhealthy.
 */
export const networkDefine: TJobHandler<"network.define"> = async (payload, ctx) => {
  await ctx.reportProgress({ percent: 10, step: payload.kind === "bridge" ? `checking bridge ${payload.bridge ?? payload.name}` : "defining the network" });
  const { name, adopted, status } = await ctx.hypervisor.defineNetwork({
    kind: payload.kind,
    name: payload.name,
    bridge: payload.bridge,
    mode: payload.mode,
    address: payload.address,
    prefix: payload.prefix,
    staticDhcp: payload.range !== undefined,
    dnsDomain: payload.dnsDomain,
  });
  await ctx.reportProgress({ percent: 100, step: adopted && payload.kind === "managed" ? `adopted libvirt network ${name}` : "defined" });
  return { networkId: payload.networkId, name, adopted, active: status.active, bridge: status.bridge };
};
