import { domainName, type TVmFilter } from "@carve/protocol";
import type { TFilterSpec } from "../hypervisor/hypervisor.ts";
import type { TJobHandler } from "./context.ts";

/** The hypervisor's filter for a VM's protocol filter: its UUID is the VM's id, stable across redefinitions. */
export function filterSpec(vmId: string, filter: TVmFilter): TFilterSpec {
  return { name: filter.name, uuid: vmId, ip: filter.ip, rules: filter.rules };
}

/**
 * vm.filter: (re)defines the VM's network filter from its security groups. Idempotent: defining
 * the same filter again changes nothing; a changed one applies at once to the VM's running NICs.
 * Only while the VM has a domain on this host: jobs of one VM run in order, so one that comes
 * after its vm.destroy (a group-mate's destroy re-renders its filter, sent by the controller's
 * sweep seconds later) would otherwise leave a filter nothing refers to, and a VM that is not
 * (or no longer) here gets its filter with the job that defines its domain (create, define, migrate).
 */
export const vmFilter: TJobHandler<"vm.filter"> = async (payload, ctx) => {
  const applied = (await ctx.hypervisor.getDomain(domainName(payload.vmId))) !== null;
  if (applied) await ctx.hypervisor.defineFilter(filterSpec(payload.vmId, payload.filter));
  else ctx.log.info({ vmId: payload.vmId, filter: payload.filter.name }, "no domain of this VM here: its filter is not defined");
  return { vmId: payload.vmId, name: payload.filter.name, rules: payload.filter.rules.length, applied };
};
