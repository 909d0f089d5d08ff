import { describeDiskSize, listDiskOfferings, listNetworks, listOfferings } from "@carve/core";
import { ActionForm } from "../../../components/action-form.tsx";
import { ConfirmAction } from "../../../components/confirm-action.tsx";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { createDiskOfferingFromForm, createOfferingFromForm, deleteDiskOfferingAction, deleteOfferingAction } from "./actions.ts";

/** Service offerings and disk offerings users choose from (and retired ones, which VMs and volumes still use): create, deactivate (retire) or delete. */
export default async function AdminOfferingsPage() {
  const actor = await adminActor();
  const [offerings, diskOfferings, networks] = await Promise.all([listOfferings(portalCore(), actor, { includeRetired: true }), listDiskOfferings(portalCore(), actor, { includeRetired: true }), listNetworks(portalCore(), actor)]);
  return (
    <>
      <h1>Offerings</h1>
      <h2>Service offerings</h2>
      <table aria-label="Service offerings">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">vCPUs</th><th scope="col">Memory</th><th scope="col">Root disk</th><th scope="col">State</th><th scope="col"><span className="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {offerings.length === 0 && <tr><td colSpan={6} className="muted">No offerings yet: create one below.</td></tr>}
          {offerings.map((o) => (
            <tr key={o.id} data-offering={o.name}>
              <td>{o.name}{o.description && <div className="muted small">{o.description}</div>}<div className="muted small" data-network>network {o.network?.name ?? "default"}</div></td>
              <td>{o.vcpus}</td>
              <td>{o.memoryMiB} MiB</td>
              <td>{o.rootDiskGiB} GiB</td>
              <td><Retired active={o.active} /></td>
              <td>
                <div className="actions">
                  {o.active && <ConfirmAction action={deleteOfferingAction.bind(null, o.id, true)} label="Deactivate" accessibleName={`Deactivate offering ${o.name}`} confirm={`Deactivate ${o.name}? No new VM can use it; VMs using it keep running.`} />}
                  <ConfirmAction action={deleteOfferingAction.bind(null, o.id, false)} label="Delete" accessibleName={`Delete offering ${o.name}`} confirm={`Delete offering ${o.name}?`} danger />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="panel form-panel" aria-labelledby="create-offering-heading">
        <h2 id="create-offering-heading">Create a service offering</h2>
        <ActionForm
          id="create-offering"
          title="Create service offering"
          submit="Create offering"
          action={createOfferingFromForm}
          fields={[
            { name: "name", label: "Name", placeholder: "medium" },
            { name: "vcpus", label: "vCPUs", type: "number", defaultValue: "2" },
            { name: "memoryMiB", label: "Memory (MiB)", type: "number", defaultValue: "2048" },
            { name: "rootDiskGiB", label: "Root disk (GiB)", type: "number", defaultValue: "20" },
            { name: "network", label: "Network", type: "select", defaultValue: "", options: [{ value: "", label: "Default network" }, ...networks.map((n) => ({ value: n.name, label: `${n.name} (${n.cidr})` }))] },
            { name: "description", label: "Description (optional)" },
          ]}
        />
      </section>
      <h2>Disk offerings</h2>
      <table aria-label="Disk offerings">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Storage</th><th scope="col">Storage tags</th><th scope="col">State</th><th scope="col"><span className="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {diskOfferings.length === 0 && <tr><td colSpan={6} className="muted">No disk offerings yet: create one below.</td></tr>}
          {diskOfferings.map((d) => (
            <tr key={d.id} data-disk-offering={d.name}>
              <td>{d.name}{d.description && <div className="muted small">{d.description}</div>}</td>
              <td>{describeDiskSize(d)}</td>
              <td>{d.scope}</td>
              <td>{d.storageTags.join(", ") || "—"}</td>
              <td><Retired active={d.active} /></td>
              <td><ConfirmAction action={deleteDiskOfferingAction.bind(null, d.id)} label="Delete" accessibleName={`Delete disk offering ${d.name}`} confirm={`Delete disk offering ${d.name}? While volumes use it, it is retired instead.`} danger /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="panel form-panel" aria-labelledby="create-disk-offering-heading">
        <h2 id="create-disk-offering-heading">Create a disk offering</h2>
        <ActionForm
          id="create-disk-offering"
          title="Create disk offering"
          submit="Create disk offering"
          action={createDiskOfferingFromForm}
          fields={[
            { name: "name", label: "Name", placeholder: "data-50" },
            { name: "sizeGiB", label: "Fixed size (GiB)", type: "number", hint: "Leave empty to let users pick a size between the bounds below." },
            { name: "minSizeGiB", label: "Smallest custom size (GiB)", type: "number" },
            { name: "maxSizeGiB", label: "Largest custom size (GiB)", type: "number" },
            { name: "scope", label: "Storage", type: "select", defaultValue: "Shared", options: [{ value: "Shared", label: "Shared (moves with the VM)" }, { value: "Local", label: "Local (the VM's host)" }] },
            { name: "storageTags", label: "Storage tags", hint: "Comma-separated; only pools with all of them hold these disks." },
            { name: "description", label: "Description (optional)" },
          ]}
        />
      </section>
    </>
  );
}

/** Active, or retired: kept for the VMs and volumes that use it, offered to no new one. */
function Retired({ active }: { active: boolean }) {
  return active ? <span className="badge active">Active</span> : <span className="badge" title="No new VM or volume can use it; existing ones keep it">Retired</span>;
}
