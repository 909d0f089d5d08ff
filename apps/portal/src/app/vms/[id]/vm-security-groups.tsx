import { getVmSecurityGroups } from "@carve/core";
import Link from "next/link";
import { ActionForm } from "../../../components/action-form.tsx";
import { portalCore } from "../../../server/core.ts";
import { pageActor } from "../../../server/page-actor.ts";
import { openPortFromForm } from "../../security-groups/actions.ts";

/** The VM's security groups and an "Open port" form (a rule in the VM's own group). */
export async function VmSecurityGroups({ vmId }: { vmId: string }) {
  const actor = await pageActor();
  const { groups } = await getVmSecurityGroups(portalCore(), actor, { vm: vmId });
  return (
    <section className="panel" aria-labelledby="vm-sg-heading">
      <h2 id="vm-sg-heading">Security groups</h2>
      <p data-vm-security-groups>
        {groups.length === 0 ? <span className="muted">None: nothing may come in.</span> : groups.map((g, i) => <span key={g.id}>{i > 0 && ", "}<Link href="/security-groups">{g.name}</Link></span>)}
      </p>
      <ActionForm
        id="open-port"
        title="Open port"
        submit="Open port"
        action={openPortFromForm.bind(null, vmId)}
        fields={[
          { name: "port", label: "Port", placeholder: "8080" },
          { name: "protocol", label: "Protocol", type: "select", options: [{ value: "tcp", label: "tcp" }, { value: "udp", label: "udp" }], defaultValue: "tcp" },
          { name: "source", label: "From", placeholder: "company", hint: "Empty: the company network; or a CIDR, e.g. 10.1.0.0/16" },
        ]}
      />
    </section>
  );
}
