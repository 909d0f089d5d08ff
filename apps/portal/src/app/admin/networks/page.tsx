import { listHosts, listNetworks } from "@carve/core";
import { ActionForm } from "../../../components/action-form.tsx";
import { ConfirmAction } from "../../../components/confirm-action.tsx";
import { adminActor } from "../../../server/admin-actor.ts";
import { portalCore } from "../../../server/core.ts";
import { refusalPage } from "../../../server/page-errors.ts";
import { createNetworkFromForm, deleteNetworkAction } from "./actions.ts";

/** Guest networks: their addressing, the hosts that have them and how many addresses are used; create and delete. */
export default async function AdminNetworksPage() {
  const actor = await adminActor();
  const [networks, hosts] = await Promise.all([listNetworks(portalCore(), actor), listHosts(portalCore(), actor)]).catch(refusalPage);
  return (
    <>
      <h1>Networks</h1>
      <table aria-label="Networks">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">CIDR</th><th scope="col">Range</th><th scope="col">Used</th><th scope="col">Free</th><th scope="col">Hosts</th><th scope="col">Default</th><th scope="col"><span className="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {networks.length === 0 && <tr><td colSpan={9} className="muted">No networks yet: VMs get no NIC until one is the default or an offering names one. Create one below.</td></tr>}
          {networks.map((n) => (
            <tr key={n.id} data-network={n.name}>
              <td>
                {n.name}
                <div className="muted small">
                  {[n.mode, n.libvirtName && `libvirt ${n.libvirtName}`, n.bridge && `bridge ${n.bridge}`, n.gateway && `gateway ${n.gateway}`, n.dnsDomain && `*.${n.dnsDomain}`, n.description].filter(Boolean).join(" · ")}
                </div>
              </td>
              <td>{n.kind}</td>
              <td>{n.cidr}</td>
              <td>{n.rangeStart && n.rangeEnd ? `${n.rangeStart}–${n.rangeEnd}` : <span className="muted">none (LAN DHCP)</span>}</td>
              <td>{n.nics}</td>
              <td>{n.freeAddresses ?? "—"}</td>
              <td>{n.hosts.map((h) => h.name).join(", ")}</td>
              <td>{n.isDefault ? "Default" : ""}</td>
              <td><ConfirmAction action={deleteNetworkAction.bind(null, n.id)} label="Delete" accessibleName={`Delete network ${n.name}`} confirm={`Delete network ${n.name}?`} danger /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="panel form-panel" aria-labelledby="create-network-heading">
        <h2 id="create-network-heading">Create a network</h2>
        <p className="muted">Managed: a libvirt network (NAT or routed, with DHCP and DNS) each chosen host's agent defines. Bridge: an existing Linux bridge on the company LAN. Carve hands VMs addresses from the range; the gateway lies outside it.</p>
        <ActionForm
          id="create-network"
          title="Create network"
          submit="Create network"
          action={createNetworkFromForm}
          fields={[
            { name: "name", label: "Network name", placeholder: "dev-lan" },
            { name: "kind", label: "Kind", type: "select", defaultValue: "Managed", options: [{ value: "Managed", label: "Managed (libvirt network)" }, { value: "Bridge", label: "Bridge (existing Linux bridge)" }] },
            { name: "cidr", label: "CIDR", placeholder: "10.0.0.0/24" },
            { name: "gateway", label: "Gateway", placeholder: "10.0.0.1", hint: "The guests' default route; outside the range." },
            { name: "rangeStart", label: "Range start", placeholder: "10.0.0.10" },
            { name: "rangeEnd", label: "Range end", placeholder: "10.0.0.200", hint: "Leave both empty on a bridge whose LAN's DHCP gives the addresses." },
            { name: "dnsDomain", label: "DNS domain", placeholder: "dev.example.com", hint: "VMs are named <vm>.<domain>." },
            { name: "mode", label: "Mode (Managed)", type: "select", defaultValue: "", options: [{ value: "", label: "—" }, { value: "nat", label: "NAT" }, { value: "routed", label: "Routed" }] },
            { name: "libvirtName", label: "libvirt name (Managed)", hint: "Default: the network's name." },
            { name: "bridge", label: "Bridge", placeholder: "br0", hint: "Bridge: the Linux bridge on each host (required). Managed: the bridge libvirt makes (optional)." },
            { name: "hosts", label: "Hosts", type: "multiselect", options: hosts.map((h) => ({ value: h.name, label: `${h.name} (${h.state})` })), hint: "Ctrl/Cmd-click or Shift+arrows to pick several." },
            { name: "isDefault", label: "Default network for new VMs", type: "checkbox" },
            { name: "description", label: "Description (optional)" },
          ]}
        />
      </section>
    </>
  );
}
