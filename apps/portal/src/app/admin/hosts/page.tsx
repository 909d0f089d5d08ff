import { listHosts } from "@carve/core";
import { toHostJson } from "../../../api/to-json.ts";
import { CapacityBar } from "../../../components/capacity-bar.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";
import { portalCore } from "../../../server/core.ts";
import { pageActor } from "../../../server/page-actor.ts";
import { refusalPage } from "../../../server/page-errors.ts";

/** Admins only: core's listHosts refuses anyone else, and the page answers 403. */
export default async function AdminHostsPage() {
  const actor = await pageActor();
  const hosts = (await listHosts(portalCore(), actor).catch(refusalPage)).map(toHostJson);
  return (
    <>
      <h1>Hosts</h1>
      <table aria-label="Hosts">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">vCPUs</th><th scope="col">Memory</th><th scope="col">Last heartbeat</th></tr>
        </thead>
        <tbody>
          {hosts.map((h) => (
            <tr key={h.id} data-host={h.name}>
              <td>{h.name}</td>
              <td><StateBadge state={h.state} /></td>
              <td><CapacityBar label={`${h.name} vCPUs`} used={h.vcpusAllocated} total={h.vcpusCapacity} unit="vCPU" /></td>
              <td><CapacityBar label={`${h.name} memory`} used={h.memMiBAllocated} total={h.memMiBCapacity} unit="MiB" /></td>
              <td>{h.lastHeartbeatAt ? new Date(h.lastHeartbeatAt).toISOString().slice(11, 19) + " UTC" : "never"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
