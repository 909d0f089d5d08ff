import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "./actor.ts";

/**
 * Every account (or those whose username, name or email contain `search`) with its source, role, state, groups and number of live VMs (so an admin sees
 * at a glance which disabled users still own VMs). Admins only; never any secret.
 */
export async function listUsers(deps: CoreDeps, actor: TActor, input: { disabledOnly?: boolean; search?: string } = {}) {
  requireAdmin(actor, "list users");
  const search = input.search?.trim().slice(0, 200);
  const users = await deps.db.user.findMany({
    where: {
      ...(input.disabledOnly ? { disabledAt: { not: null } } : {}),
      // A part of the username, display name or email, any case.
      ...(search ? { OR: (["username", "displayName", "email"] as const).map((field) => ({ [field]: { contains: search, mode: "insensitive" as const } })) } : {}),
    },
    orderBy: { username: "asc" },
    select: {
      id: true,
      username: true,
      source: true,
      role: true,
      displayName: true,
      email: true,
      disabledAt: true,
      disabledReason: true,
      lastLoginAt: true,
      memberships: { select: { group: { select: { name: true, isTeam: true } } } },
      _count: { select: { vms: { where: { state: { not: "Destroyed" } } } } },
    },
  });
  return users.map(({ memberships, _count, ...user }) => ({
    ...user,
    groups: memberships.map((m) => m.group.name).sort(),
    teams: memberships.filter((m) => m.group.isTeam).map((m) => m.group.name).sort(),
    liveVms: _count.vms,
  }));
}
