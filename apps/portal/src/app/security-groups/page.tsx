import { listSecurityGroups } from "@carve/core";
import { ActionForm } from "../../components/action-form.tsx";
import { RowAction } from "../../components/row-action.tsx";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";
import { addRuleFromForm, createSecurityGroupFromForm, deleteSecurityGroupAction, removeRuleAction } from "./actions.ts";

const PROTOCOLS = ["tcp", "udp", "icmp", "all"].map((p) => ({ value: p, label: p }));
const ports = (r: { portFrom: number | null; portTo: number | null }) => (r.portFrom === null ? "all" : r.portTo !== null && r.portTo !== r.portFrom ? `${r.portFrom}–${r.portTo}` : String(r.portFrom));

/** The signed-in user's security groups: their rules (add, remove), their VMs, and new groups. */
export default async function SecurityGroupsPage() {
  const actor = await pageActor();
  const groups = await listSecurityGroups(portalCore(), actor);
  return (
    <>
      <h1>Security groups</h1>
      <p className="muted">A VM lets in only what the rules of its groups allow; everything it sends goes out. Every new VM is in your <code>default</code> group.</p>
      {groups.map((g) => (
        <section className="panel" key={g.id} aria-labelledby={`sg-${g.id}`} data-security-group={g.name}>
          <h2 id={`sg-${g.id}`}>{g.name}</h2>
          {g.description && <p className="muted">{g.description}</p>}
          <table aria-label={`Rules of ${g.name}`}>
            <thead><tr><th scope="col">Protocol</th><th scope="col">Ports</th><th scope="col">From</th><th scope="col">Description</th><th scope="col"><span className="muted">Actions</span></th></tr></thead>
            <tbody>
              {g.rules.length === 0 && <tr><td colSpan={5} className="muted">No rules: nothing may come in through this group.</td></tr>}
              {g.rules.map((r) => (
                <tr key={r.id} data-rule={r.id}>
                  <td>{r.protocol}</td>
                  <td>{ports(r)}</td>
                  <td>{r.sourceKind === "company" ? "company network" : r.sourceKind === "group" ? `group ${r.source}` : r.source}</td>
                  <td>{r.description}</td>
                  <td><RowAction action={removeRuleAction.bind(null, g.id, r.id)} label="Remove" accessibleName={`Remove rule ${r.protocol} ${ports(r)} from ${r.source} of ${g.name}`} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>VMs: {g.vms.map((v) => v.name).join(", ") || <span className="muted">none</span>}</p>
          <details>
            <summary>Add a rule to {g.name}</summary>
            <ActionForm
              id={`rule-${g.id}`}
              title={`Add rule to ${g.name}`}
              submit="Add rule"
              action={addRuleFromForm.bind(null, g.id)}
              fields={[
                { name: "protocol", label: "Protocol", type: "select", options: PROTOCOLS, defaultValue: "tcp" },
                { name: "portFrom", label: "Port", placeholder: "8080", hint: "tcp and udp: the port, or the first of a range" },
                { name: "portTo", label: "Last port", placeholder: "8090", hint: "For a range only" },
                { name: "source", label: "From", placeholder: "company", hint: "A CIDR (10.1.0.0/16), an address, another of your groups, or company (the company network)" },
                { name: "description", label: "Description" },
              ]}
            />
          </details>
          <RowAction action={deleteSecurityGroupAction.bind(null, g.id)} label="Delete group" accessibleName={`Delete security group ${g.name}`} />
        </section>
      ))}
      <section className="panel" aria-labelledby="new-sg-heading">
        <h2 id="new-sg-heading">Create a security group</h2>
        <ActionForm id="new-sg" title="Create security group" submit="Create group" action={createSecurityGroupFromForm} fields={[{ name: "name", label: "Name" }, { name: "description", label: "Description" }]} />
      </section>
    </>
  );
}
