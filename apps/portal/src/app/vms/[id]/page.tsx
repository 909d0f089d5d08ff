import { getVm, listVmEvents, listVolumes } from "@carve/core";
import Link from "next/link";
import { toVmEventPageJson, toVmJson } from "../../../api/to-json.ts";
import { portalCore } from "../../../server/core.ts";
import { pageActor } from "../../../server/page-actor.ts";
import { refusalPage } from "../../../server/page-errors.ts";
import { EventTimeline } from "./event-timeline.tsx";
import { VmDetail } from "./vm-detail.tsx";
import { VmSecurityGroups } from "./vm-security-groups.tsx";

export default async function VmDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await pageActor();
  const { id } = await params;
  const vm = await getVm(portalCore(), actor, { vm: id }).catch(refusalPage);
  const [events, volumes] = await Promise.all([listVmEvents(portalCore(), actor, { vm: vm.id, limit: 10 }), listVolumes(portalCore(), actor, { kind: "Data", limit: 200 })]);
  // The user's data volumes that are attached nowhere (core says whether this VM's host reaches them).
  const attachable = volumes.items.filter((v) => v.vm === null && v.state === "Ready").map((v) => ({ id: v.id, name: v.name, sizeGiB: v.sizeGiB, pool: v.pool.name }));
  return (
    <>
      <p><Link href="/vms">← My VMs</Link></p>
      <VmDetail initial={toVmJson(vm)} attachable={attachable} />
      <VmSecurityGroups vmId={vm.id} />
      <div className="panel">
        <EventTimeline vmId={vm.id} initial={toVmEventPageJson(events)} />
      </div>
    </>
  );
}
