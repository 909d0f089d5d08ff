import { JobRefusedError } from "../jobs/job-errors.ts";
import { domainName, vmFilterName } from "@carve/protocol";
import type { TJobHandler } from "./context.ts";
import { domainManagedNics, removeNicEntries } from "./nic-entries.ts";

/**
 * vm.undefine: removes a stopped VM's domain definition from this host and keeps its disks (the
 * VM now lives on another host). No domain is the job done; a running one is refused.
 */
export const vmUndefine: TJobHandler<"vm.undefine"> = async (payload, ctx) => {
  const name = domainName(payload.vmId);
  const domain = await ctx.hypervisor.getDomain(name);
  // Its network filter went to the other host with it (security groups); no domain here refers to it now.
  const removeFilter = () => ctx.hypervisor.removeFilter(vmFilterName(payload.vmId));
  if (domain === null) {
    await removeFilter();
    return { vmId: payload.vmId, removedDomain: false };
  }
  if (domain.state === "running" || domain.state === "paused") {
    throw new JobRefusedError(`${name} is ${domain.state} on this host; it is only undefined once stopped`);
  }
  // The VM's addresses now live on the other host: this host's dnsmasq forgets them.
  await removeNicEntries(ctx.hypervisor, await domainManagedNics(ctx.hypervisor, name));
  const removedDomain = await ctx.hypervisor.undefineDomain(name);
  await removeFilter();
  return { vmId: payload.vmId, removedDomain };
};
