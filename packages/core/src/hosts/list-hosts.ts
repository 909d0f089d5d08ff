import type { Host } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";

/** Every host with its capacity and state, for admins. */
export async function listHosts(deps: CoreDeps, actor: TActor): Promise<Host[]> {
  requireAdmin(actor, "list hosts");
  return deps.db.host.findMany({ where: { state: { not: "Removed" } }, orderBy: { name: "asc" } });
}
