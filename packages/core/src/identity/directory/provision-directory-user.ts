import type { Group, Role, Tx, UserRecord } from "@carve/db";
import type { TDirectoryGroup } from "./directory-groups.ts";
import { roleOfGroups } from "./directory-role.ts";
import type { TDirectoryUser } from "./directory-users.ts";
import { normalizeDn } from "./ldap-escape.ts";
import { freeGroupName } from "../map-group.ts";

export type TProvisioned =
  | { kind: "ok"; user: UserRecord; created: boolean; reenabled: boolean }
  /** The name belongs to a local account: a username has exactly one source, never both. */
  | { kind: "conflict" };

/**
 * Creates or updates a directory user in Carve with their groups (created as needed, a Carve
 * team of the same name adopted as that directory group), their directory memberships made
 * exactly these, and their role derived from the groups' mappings. A user Carve disabled because
 * the directory did is enabled again (the caller has just seen them enabled in the directory);
 * one an admin disabled stays disabled.
 */
export async function provisionDirectoryUser(tx: Tx, du: TDirectoryUser, groups: TDirectoryGroup[]): Promise<TProvisioned> {
  const existing = await tx.user.findUnique({ where: { username: du.username } });
  if (existing && existing.source !== "Ldap") return { kind: "conflict" };
  const rows = await resolveGroups(tx, groups);
  const role: Role = roleOfGroups(rows);
  const email = du.email && (await tx.user.count({ where: { email: du.email, username: { not: du.username } } })) === 0 ? du.email : null;
  const reenabled = existing?.disabledAt != null && existing.disabledReason === "directory";
  const fields = { ldapDn: du.dn, email, displayName: du.displayName, role };
  const user = existing
    ? await tx.user.update({ where: { id: existing.id }, data: { ...fields, ...(reenabled ? { disabledAt: null, disabledReason: null } : {}) } })
    : await tx.user.create({ data: { username: du.username, source: "Ldap", ...fields } });
  const keep = rows.map((g) => g.id);
  await tx.groupMember.deleteMany({ where: { userId: user.id, group: { ldapDn: { not: null } }, groupId: { notIn: keep } } });
  if (keep.length > 0) await tx.groupMember.createMany({ data: keep.map((groupId) => ({ userId: user.id, groupId })), skipDuplicates: true });
  return { kind: "ok", user, created: !existing, reenabled };
}

/** The Group rows of these directory groups, matching DNs however they are spelled. */
async function resolveGroups(tx: Tx, groups: TDirectoryGroup[]): Promise<Group[]> {
  if (groups.length === 0) return [];
  const known = await tx.group.findMany({ where: { OR: [{ ldapDn: { not: null } }, { name: { in: groups.map((g) => g.name) } }] } });
  const byDn = new Map(known.filter((g) => g.ldapDn !== null).map((g) => [normalizeDn(g.ldapDn ?? ""), g]));
  const result: Group[] = [];
  for (const group of groups) {
    const found = byDn.get(normalizeDn(group.dn));
    if (found) {
      result.push(found);
      continue;
    }
    const team = known.find((g) => g.ldapDn === null && g.name === group.name);
    const row = team
      ? await tx.group.update({ where: { id: team.id }, data: { ldapDn: group.dn } })
      : await tx.group.create({ data: { name: await freeGroupName(tx, group.name, group.dn), ldapDn: group.dn } });
    byDn.set(normalizeDn(group.dn), row);
    result.push(row);
  }
  return result;
}
