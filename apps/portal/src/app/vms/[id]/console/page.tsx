import { getVm } from "@carve/core";
import Link from "next/link";
import { env } from "../../../../env.ts";
import { portalCore } from "../../../../server/core.ts";
import { pageActor } from "../../../../server/page-actor.ts";
import { refusalPage } from "../../../../server/page-errors.ts";
import { ConsoleView } from "./console-view.tsx";

/**
 * A VM's console (issue 18): the graphical display through noVNC or the serial port through
 * xterm.js, both over the console proxy. The one-time link rides in the fragment (`#token=`), which
 * only the browser sees; without one the page asks for a new link itself.
 */
export default async function VmConsolePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ kind?: string }> }) {
  const actor = await pageActor();
  const [{ id }, { kind }] = await Promise.all([params, searchParams]);
  const vm = await getVm(portalCore(), actor, { vm: id }).catch(refusalPage);
  return (
    <>
      <p><Link href={`/vms/${vm.id}`}>← {vm.name}</Link></p>
      <ConsoleView key={kind} vm={{ id: vm.id, name: vm.name }} kind={kind === "serial" ? "serial" : "vnc"} consoleUrl={env().CARVE_CONSOLE_URL} />
    </>
  );
}
