import type { TVmFilter } from "@carve/protocol";
import type { FilterSpec } from "../hypervisor/hypervisor.ts";
import type { JobHandler } from "./context.ts";

/** The hypervisor's filter for a VM's protocol filter: its UUID is the VM's id, stable across redefinitions. */
export function filterSpec(vmId: string, filter: TVmFilter): FilterSpec {
  return { name: filter.name, uuid: vmId, ip: filter.ip, rules: filter.rules };
}

/**
 * vm.filter: (re)defines the VM's network filter from its security groups. Idempotent: defining
 * the same filter again changes nothing; a changed one applies at once to the VM's running NICs.
 */
export const vmFilter: JobHandler<"vm.filter"> = async (payload, ctx) => {
  await ctx.hypervisor.defineFilter(filterSpec(payload.vmId, payload.filter));
  return { vmId: payload.vmId, name: payload.filter.name, rules: payload.filter.rules.length };
};
