import type { Role, Tx } from "@carve/db";
import { recordEvent } from "../../events/record-event.ts";
import type { TActor } from "../actor.ts";

/** The role a directory user gets from their directory groups: Admin if any of them maps to Admin. */
export function roleOfGroups(groups: { role: Role | null }[]): Role {
  return groups.some((g) => g.role === "Admin") ? "Admin" : "User";
}

/**
 * After a group's mapping changed: recomputes, inside the caller's transaction, the role of every
 * directory user in that group from the directory groups stored for them at their last sign-in or
 * sync (no directory round-trip), so a role given or taken away holds from their next request.
 * Records a `user.role-changed` event per user whose role changed.
 */
export async function recomputeDirectoryRoles(tx: Tx, actor: TActor, groupId: string): Promise<void> {
  const users = await tx.user.findMany({
    where: { source: "Ldap", memberships: { some: { groupId } } },
    select: { id: true, username: true, role: true, memberships: { where: { group: { ldapDn: { not: null } } }, select: { group: { select: { role: true } } } } },
  });
  for (const user of users) {
    const role = roleOfGroups(user.memberships.map((m) => m.group));
    if (role === user.role) continue;
    await tx.user.update({ where: { id: user.id }, data: { role }, select: { id: true } });
    await recordEvent(tx, { type: "user.role-changed", actor, message: `${user.username} is now ${role === "Admin" ? "an Admin" : "a User"} (a group mapping changed)`, data: { userId: user.id, from: user.role, to: role } });
  }
}
