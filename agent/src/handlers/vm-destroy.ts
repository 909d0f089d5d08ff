import { domainName, vmFilterName } from "@carve/protocol";
import type { TJobHandler } from "./context.ts";
import { domainManagedNics, removeNicEntries } from "./nic-entries.ts";

/**
 * vm.destroy: pull the plug, remove its DHCP/DNS entries, undefine, delete the listed volumes, the
 * cloud-init seed and the network filter. Whatever is already gone is fine, so a retry after a
 * partial run finishes the job.
 */
export const vmDestroy: TJobHandler<"vm.destroy"> = async (payload, ctx) => {
  const { hypervisor } = ctx;
  const name = domainName(payload.vmId);
  await hypervisor.destroyDomain(name);
  // Before the undefine, while the domain still says which MACs it had: its addresses are free again.
  await removeNicEntries(hypervisor, await domainManagedNics(hypervisor, name));
  const removedDomain = await hypervisor.undefineDomain(name);
  const removedVolumes: string[] = [];
  for (const volume of payload.volumes) {
    if (await hypervisor.deleteVolume(volume.pool, volume.name)) removedVolumes.push(volume.name);
  }
  await ctx.seeds.remove(payload.vmId);
  // Its network filter (security groups), now that no domain refers to it.
  await hypervisor.removeFilter(vmFilterName(payload.vmId));
  return { vmId: payload.vmId, removedDomain, removedVolumes };
};
