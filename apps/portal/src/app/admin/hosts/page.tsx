import { listHosts } from "@carve/core";
import { toHostJson } from "../../../api/to-json.ts";
import { ActionForm } from "../../../components/action-form.tsx";
import { CapacityBar } from "../../../components/capacity-bar.tsx";
import { ConfirmAction } from "../../../components/confirm-action.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { refusalPage } from "../../../server/page-errors.ts";
import { addHostFromForm, declareDeadFromForm, newJoinTokenAction } from "./actions.ts";
import { MaintenanceToggle } from "./maintenance.tsx";

/** Admins only (the admin layout answers 403 to anyone else, and core's listHosts refuses them too). */
export default async function AdminHostsPage() {
  const actor = await adminActor();
  const rows = await listHosts(portalCore(), actor).catch(refusalPage);
  const hosts = rows.map((h) => ({ ...toHostJson(h), tags: h.tags, uri: h.uri }));
  return (
    <>
      <h1>Hosts</h1>
      <table aria-label="Hosts">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">vCPUs</th><th scope="col">Memory</th><th scope="col">Last heartbeat</th><th scope="col"><span className="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {hosts.length === 0 && <tr><td colSpan={6} className="muted">No hosts yet: add one below.</td></tr>}
          {hosts.map((h) => (
            <tr key={h.id} data-host={h.name}>
              <td>{h.name}<div className="muted small">{h.uri}{h.tags.length > 0 && ` · ${h.tags.join(", ")}`}</div></td>
              <td><StateBadge state={h.state} /></td>
              {h.cpus === 0 ? (
                <td colSpan={2} className="muted small">Capacity not reported yet: the host's agent has not joined.</td>
              ) : (
                <>
                  <td><CapacityBar label={`${h.name} vCPUs`} used={h.vcpusAllocated} total={h.vcpusCapacity} unit="vCPU" /></td>
                  <td><CapacityBar label={`${h.name} memory`} used={h.memMiBAllocated} total={h.memMiBCapacity} unit="MiB" /></td>
                </>
              )}
              <td>{h.lastHeartbeatAt ? new Date(h.lastHeartbeatAt).toISOString().slice(11, 19) + " UTC" : "never"}</td>
              <td>
                <div className="actions">
                  <MaintenanceToggle host={{ id: h.id, name: h.name, state: h.state }} />
                  <ConfirmAction action={newJoinTokenAction.bind(null, h.id)} label="New join token" accessibleName={`New join token for ${h.name}`} confirm={`Issue a new join token for ${h.name}? Any earlier unused one stops working.`} />
                </div>
                {/* day-2 (issue 19): only for a host that no longer heartbeats; core refuses one that does. */}
                {h.state !== "Up" && h.state !== "Dead" && (
                  <details className="danger-zone">
                    <summary>Declare {h.name} dead…</summary>
                    <p className="muted small">Only for a host powered off for good. Its VMs on shared disks restart on other hosts; VMs with a disk on its own storage become Lost. The fencing command, if set, runs first.</p>
                    <ActionForm id={`declare-dead-${h.name}`} title={`Declare ${h.name} dead`} submit={`Declare ${h.name} dead`} action={declareDeadFromForm.bind(null, h.id)} fields={[{ name: "confirm", label: `Type ${h.name} to confirm it is powered off`, placeholder: h.name, autoComplete: "off" }]} />
                  </details>
                )}
                {h.state === "Dead" && <p className="muted small">Dead: destroy or re-create its Lost VMs, then remove it (carve host remove {h.name}).</p>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="panel form-panel" aria-labelledby="add-host-heading">
        <h2 id="add-host-heading">Add a host</h2>
        <p className="muted">Carve shows a one-time command to run on the host: it joins the host's agent, which then reports its capacity and pools.</p>
        <ActionForm
          id="add-host"
          title="Add host"
          submit="Add host"
          action={addHostFromForm}
          fields={[
            { name: "name", label: "Name", placeholder: "kvm-1" },
            { name: "uri", label: "libvirt URI", defaultValue: "qemu:///system", hint: "As the agent reaches libvirt on the host, e.g. qemu:///system." },
            { name: "cpuOvercommit", label: "CPU overcommit", type: "number", defaultValue: "1" },
            { name: "memOvercommit", label: "Memory overcommit", type: "number", defaultValue: "1" },
            { name: "tags", label: "Host tags", hint: "Comma-separated; offerings can ask for them." },
            { name: "joinTokenTtlMinutes", label: "Join token valid for (minutes)", type: "number", defaultValue: "60" },
          ]}
        />
      </section>
    </>
  );
}
