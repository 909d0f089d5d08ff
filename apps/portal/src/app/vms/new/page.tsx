import { getQuota, listDiskOfferings, listOfferings, listSshKeys, listTemplates } from "@carve/core";
import { portalCore } from "../../../server/core.ts";
import { pageActor } from "../../../server/page-actor.ts";
import { CreateVmForm } from "./create-vm-form.tsx";
import type { TDiskOfferingChoice } from "./data-disks.tsx";

export default async function CreateVmPage() {
  const actor = await pageActor();
  const core = portalCore();
  const [templates, offerings, sshKeys, quota, disks] = await Promise.all([
    listTemplates(core, actor),
    listOfferings(core, actor),
    listSshKeys(core, actor),
    getQuota(core, actor),
    listDiskOfferings(core, actor),
  ]);
  const diskOfferings: TDiskOfferingChoice[] = disks.map((d) => ({ name: d.name, sizeGiB: d.sizeGiB, minSizeGiB: d.minSizeGiB, maxSizeGiB: d.maxSizeGiB, scope: d.scope, description: d.description }));
  return (
    <>
      <h1>Create VM</h1>
      <CreateVmForm
        templates={templates.map((t) => ({ name: t.name, ready: t.state === "Ready", description: t.description, minDiskGiB: t.minDiskGiB, cloudInit: t.supportsCloudInit }))}
        offerings={offerings.map((o) => ({ name: o.name, summary: `${o.vcpus} vCPU · ${o.memoryMiB} MiB · ${o.rootDiskGiB} GiB`, vcpus: o.vcpus, memoryMiB: o.memoryMiB, rootDiskGiB: o.rootDiskGiB }))}
        sshKeys={sshKeys.map((k) => ({ name: k.name, fingerprint: k.fingerprint }))}
        diskOfferings={diskOfferings}
        quota={quota}
      />
    </>
  );
}
