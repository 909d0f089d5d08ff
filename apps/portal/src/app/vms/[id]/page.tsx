import { getVm } from "@carve/core";
import Link from "next/link";
import { toVmJson } from "../../../api/to-json.ts";
import { portalCore } from "../../../server/core.ts";
import { pageActor } from "../../../server/page-actor.ts";
import { refusalPage } from "../../../server/page-errors.ts";
import { VmDetail } from "./vm-detail.tsx";

export default async function VmDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await pageActor();
  const { id } = await params;
  const vm = await getVm(portalCore(), actor, { vm: id }).catch(refusalPage);
  return (
    <>
      <p><Link href="/vms">← My VMs</Link></p>
      <VmDetail initial={toVmJson(vm)} />
    </>
  );
}
