import { diskTarget, domainName } from "@carve/protocol";
import type { THypervisor } from "../hypervisor/hypervisor.ts";
import { JobRefusedError } from "../jobs/job-errors.ts";
import type { THandlerContext, TJobHandler } from "./context.ts";
import { ensureRunning, requireDomain } from "./power.ts";
import { addNicEntries, toNicSpecs } from "./nic-entries.ts";
import { filterSpec } from "./vm-filter.ts";

/**
 * vm.define: defines a stopped VM's domain here from volumes in pools this host sees (the cold
 * half of moving a VM between hosts), and with `start` starts it (a VM restarted here because its
 * host was declared dead). Idempotent: the same domain already defined is the job done (started
 * when asked); a running one is left alone.
 */
export const vmDefine: TJobHandler<"vm.define"> = async (payload, ctx) => {
  const { hypervisor } = ctx;
  const name = domainName(payload.vmId);
  const rootVolumePath = await requirePath(hypervisor, payload.rootVolume);
  const existing = await hypervisor.getDomain(name);
  if (existing !== null) {
    if (existing.uuid !== payload.vmId) throw new JobRefusedError(`domain ${name} already exists on this host with UUID ${existing.uuid}, not ${payload.vmId}`);
    return finish(ctx, payload, rootVolumePath);
  }
  const onto = payload.rootVolume.rebaseOnto;
  if (onto) {
    // The copied overlay still names the source host's template copy as its backing file.
    const backingPath = await requirePath(hypervisor, { ...onto });
    await ctx.reportProgress({ percent: 25, step: `rebasing the root disk onto template ${onto.name} in pool ${onto.pool}` });
    await hypervisor.rebaseVolume(rootVolumePath, { path: backingPath, format: onto.format });
    // libvirt caches a volume's backing chain: re-read it so its view matches the file.
    await hypervisor.refreshPool(payload.rootVolume.pool);
  }
  const dataDisks = [];
  for (const volume of payload.dataVolumes) {
    dataDisks.push({ path: await requirePath(hypervisor, volume), format: "qcow2" as const, target: diskTarget(volume.deviceIndex) });
  }
  // The VM keeps its MACs and addresses on this host: its network's DHCP and DNS here must know them.
  await addNicEntries(hypervisor, payload.nics);
  // Its NICs refer to its security groups' filter, which must exist before the domain can start here.
  if (payload.filter) await hypervisor.defineFilter(filterSpec(payload.vmId, payload.filter));
  await ctx.reportProgress({ percent: 50, step: "defining" });
  await hypervisor.defineDomain(name, {
    vmId: payload.vmId,
    title: payload.title,
    vcpus: payload.vcpus,
    memoryMiB: payload.memoryMiB,
    rootDisk: { path: rootVolumePath, format: payload.rootVolume.format },
    dataDisks,
    nics: toNicSpecs(payload.nics),
  });
  return finish(ctx, payload, rootVolumePath);
};

/** The defined domain, started when the payload asks (a retried job finds it defined, or already running). */
async function finish(ctx: THandlerContext, payload: { vmId: string; start: boolean }, rootVolumePath: string) {
  if (!payload.start) return { vmId: payload.vmId, state: "stopped" as const, rootVolumePath };
  await ctx.reportProgress({ percent: 80, step: "starting" });
  await ensureRunning(ctx.hypervisor, await requireDomain(ctx.hypervisor, payload.vmId));
  return { vmId: payload.vmId, state: "running" as const, rootVolumePath };
}

async function requirePath(hypervisor: THypervisor, volume: { pool: string; name: string }): Promise<string> {
  await hypervisor.refreshPool(volume.pool);
  const path = await hypervisor.volumePath(volume.pool, volume.name);
  if (path === null) throw new JobRefusedError(`volume ${volume.name} is not in pool ${volume.pool} on this host: the VM's disks must be on storage this host sees`);
  return path;
}
