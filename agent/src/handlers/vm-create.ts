import { diskTarget, domainName, type TJobPayloadParsed } from "@carve/protocol";
import { isDomainClash, isVolumeExists, messageOf } from "../hypervisor/errors.ts";
import type { THypervisor } from "../hypervisor/hypervisor.ts";
import { JobRefusedError } from "../jobs/job-errors.ts";
import { ensureSeed } from "./cloud-init-seed.ts";
import type { TJobHandler } from "./context.ts";
import { filterSpec } from "./vm-filter.ts";
import { addNicEntries, nicHostEntries, toNicSpecs } from "./nic-entries.ts";

type TCreate = TJobPayloadParsed<"vm.create">;

/**
 * vm.create, idempotent by VM id: clone the root volume unless it exists, define the domain (a
 * retry redefines it the same way; a domain of that name with another UUID is refused) and start
 * it unless it runs. A retried or duplicated job walks the same steps and finds them done, so it
 * converges on one domain and one root volume.
 */
export const vmCreate: TJobHandler<"vm.create"> = async (payload, ctx) => {
  const { hypervisor } = ctx;
  const name = domainName(payload.vmId);

  await ctx.reportProgress({ percent: 10, step: "creating disk" });
  const rootVolumePath = await ensureRootVolume(hypervisor, payload);
  const seedIso = await ensureSeed(payload, ctx);
  const dataDisks = [];
  for (const volume of payload.dataVolumes ?? []) {
    const { path } = await hypervisor.createDataVolume(volume.pool, volume.name, volume.sizeGiB);
    dataDisks.push({ path, format: "qcow2" as const, target: diskTarget(volume.deviceIndex) });
  }

  // The NICs refer to the filter: it must exist before the domain starts.
  if (payload.filter) await hypervisor.defineFilter(filterSpec(payload.vmId, payload.filter));
  if (nicHostEntries(payload.nics).length > 0) {
    await ctx.reportProgress({ percent: 40, step: "reserving addresses in the network's DHCP and DNS" });
    await addNicEntries(hypervisor, payload.nics);
  }

  await ctx.reportProgress({ percent: 50, step: payload.start ? "defining and booting" : "defining" });
  // Defined (or redefined: a retry converges on the same definition) and started in one call.
  let domain;
  try {
    domain = await hypervisor.defineDomain(
      name,
      { vmId: payload.vmId, title: payload.title, vcpus: payload.vcpus, memoryMiB: payload.memoryMiB, rootDisk: { path: rootVolumePath, format: "qcow2" }, seedIso, dataDisks, nics: toNicSpecs(payload.nics) },
      { start: payload.start },
    );
  } catch (error) {
    if (isDomainClash(error)) throw new JobRefusedError(`domain ${name} already exists on this host with another UUID than ${payload.vmId}: ${messageOf(error)}`);
    throw error;
  }
  await ctx.reportProgress({ percent: 100, step: "done" });
  // A guest that dies later is reconciliation's to notice.
  return { vmId: payload.vmId, domainUuid: domain.uuid, state: domain.state === "running" ? "running" : "stopped", rootVolumePath };
};

/** The root volume's path, cloning it from the template first when it does not exist yet. */
async function ensureRootVolume(hypervisor: THypervisor, payload: TCreate): Promise<string> {
  const { rootVolume, template } = payload;
  // Create first and look up only when it exists already (a retry): one storage call, not two, on
  // the path every create takes.
  try {
    return await hypervisor.createCowVolume({
      pool: rootVolume.pool,
      name: rootVolume.name,
      capacityGiB: rootVolume.sizeGiB,
      backing: { pool: template.pool, name: template.name, format: template.format },
    });
  } catch (error) {
    // A retry of this job, or a crashed earlier attempt's libvirt call that completed after all.
    if (isVolumeExists(error)) {
      const path = await hypervisor.volumePath(rootVolume.pool, rootVolume.name);
      if (path !== null) return path;
    }
    throw error;
  }
}
