import { listOfferings, listTemplates } from "@carve/core";
import { portalCore } from "../../../server/core.ts";
import { pageActor } from "../../../server/page-actor.ts";
import { CreateVmForm } from "./create-vm-form.tsx";

export default async function CreateVmPage() {
  const actor = await pageActor();
  const core = portalCore();
  const [templates, offerings] = await Promise.all([listTemplates(core, actor), listOfferings(core, actor)]);
  return (
    <>
      <h1>Create VM</h1>
      <div className="panel">
        <CreateVmForm
          templates={templates.map((t) => ({ name: t.name, ready: t.state === "Ready", description: t.description }))}
          offerings={offerings.map((o) => ({ name: o.name, summary: `${o.vcpus} vCPU · ${o.memoryMiB} MiB · ${o.rootDiskGiB} GiB` }))}
        />
      </div>
    </>
  );
}
