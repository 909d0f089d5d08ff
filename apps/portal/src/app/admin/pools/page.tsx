import { listHosts, listPools } from "@carve/core";
import { ActionForm } from "../../../components/action-form.tsx";
import { CapacityBar } from "../../../components/capacity-bar.tsx";
import { ConfirmAction } from "../../../components/confirm-action.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { refusalPage } from "../../../server/page-errors.ts";
import { gib, when } from "../format.ts";
import { addPoolFromForm, deletePoolAction } from "./actions.ts";

/** Storage pools with their capacity (used on disk, and promised to volumes) and health with its reason. */
export default async function AdminPoolsPage() {
  const actor = await adminActor();
  const [pools, hosts] = await Promise.all([listPools(portalCore(), actor), listHosts(portalCore(), actor)]).catch(refusalPage);
  return (
    <>
      <h1>Storage pools</h1>
      <table aria-label="Storage pools">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Health</th><th scope="col">Scope</th><th scope="col">Hosts</th><th scope="col">Allocated on disk</th><th scope="col">Reserved for volumes</th><th scope="col"><span className="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {pools.length === 0 && <tr><td colSpan={7} className="muted">No storage pools yet: add one below.</td></tr>}
          {pools.map((p) => (
            <tr key={p.id} data-pool={p.name}>
              <td>{p.name}<div className="muted small">{p.kind} · {p.libvirtName} · {p.path}{p.sourceHost && ` · from ${p.sourceHost}:${p.sourcePath ?? ""}`}{p.tags.length > 0 && ` · tags ${p.tags.join(", ")}`}</div></td>
              <td>
                <StateBadge state={p.state} />
                {p.stateReason && <div className="muted small" data-reason>{p.stateReason}</div>}
                {!p.capacityReportedAt && <div className="muted small">capacity not reported yet</div>}
              </td>
              <td>{p.scope}</td>
              <td>{p.hosts.map((h) => h.host.name).join(", ")}</td>
              <td><CapacityBar label={`${p.name} allocated`} used={gib(p.allocatedBytes)} total={gib(p.capacityBytes)} unit="GiB" /></td>
              <td>
                <CapacityBar label={`${p.name} reserved`} used={gib(p.reservedBytes)} total={gib(p.capacityBytes)} unit="GiB" />
                <div className="muted small">reported {when(p.capacityReportedAt)}</div>
              </td>
              <td><ConfirmAction action={deletePoolAction.bind(null, p.id)} label="Delete" accessibleName={`Delete pool ${p.name}`} confirm={`Delete pool ${p.name}? Its files stay on the hosts.`} danger /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="panel form-panel" aria-labelledby="add-pool-heading">
        <h2 id="add-pool-heading">Add a storage pool</h2>
        <p className="muted">Each chosen host's agent defines, starts and autostarts the pool in libvirt (an existing pool with the same target is adopted). Local: one host's disk; Shared: one NFS export every chosen host mounts.</p>
        <ActionForm
          id="add-pool"
          title="Add storage pool"
          submit="Add pool"
          action={addPoolFromForm}
          fields={[
            { name: "name", label: "Pool name", placeholder: "kvm-1-local" },
            { name: "libvirtName", label: "libvirt pool", placeholder: "carve-local", hint: "Its name in libvirt (virsh pool-list) on the hosts." },
            { name: "kind", label: "Type", type: "select", defaultValue: "Dir", options: [{ value: "Dir", label: "Directory (Dir)" }, { value: "Netfs", label: "NFS export (Netfs)" }] },
            { name: "path", label: "Path", placeholder: "/var/lib/libvirt/images", hint: "The directory on the host (for Netfs: where the export is mounted)." },
            { name: "sourceHost", label: "NFS server (Netfs)", placeholder: "nfs.example.com" },
            { name: "sourcePath", label: "NFS export path (Netfs)", placeholder: "/exports/carve" },
            { name: "scope", label: "Scope", type: "select", defaultValue: "Local", options: [{ value: "Local", label: "Local (one host)" }, { value: "Shared", label: "Shared (several hosts)" }] },
            { name: "hosts", label: "Hosts", type: "multiselect", options: hosts.map((h) => ({ value: h.name, label: `${h.name} (${h.state})` })), hint: "Ctrl/Cmd-click or Shift+arrows to pick several for a Shared pool." },
            { name: "tags", label: "Storage tags", hint: "Comma-separated; offerings can ask for them." },
          ]}
        />
      </section>
    </>
  );
}
