import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "./actor.ts";

/** Every group with its mapping and member count, by name. Admins only. */
export async function listGroups(deps: CoreDeps, actor: TActor) {
  requireAdmin(actor, "list groups");
  return deps.db.group.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, ldapDn: true, role: true, isTeam: true, _count: { select: { members: true } } },
  });
}
