import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { NETWORK_SELECT, toNetworkView, type TNetworkView } from "./network-view.ts";

/** Every network with its hosts, range size and how many NICs are on it, for admins. */
export async function listNetworks(deps: CoreDeps, actor: TActor): Promise<TNetworkView[]> {
  requireAdmin(actor, "list networks");
  const rows = await deps.db.network.findMany({ select: NETWORK_SELECT, orderBy: { name: "asc" } });
  return rows.map(toNetworkView);
}
