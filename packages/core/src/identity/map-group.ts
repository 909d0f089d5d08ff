import type { Group, Role, Tx } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "./actor.ts";
import { recomputeDirectoryRoles } from "./directory/directory-role.ts";
import { firstRdnValue, normalizeDn } from "./directory/ldap-escape.ts";
import { parseInput } from "../validation/parse-input.ts";

/** Strict: an unknown field (from the REST API) is refused, never ignored. */
export const ZMapGroupInput = z.strictObject({
  /** Group name (its cn, or a Carve team's name) or a directory DN. */
  group: z.string({ error: "is required: a group name or DN" }).min(1, "is required: a group name or DN").max(1000),
  /** Role its members get; null removes the mapping. */
  role: z.enum(["Admin", "User"], { error: "must be Admin or User (null: no role)" }).nullable().optional(),
  /** Whether the group is a team (teams own quotas and can share VMs). */
  team: z.boolean().optional(),
});

type TGroupMapping = { group: string; role?: Role | null | undefined; team?: boolean | undefined };

const looksLikeDn = (ref: string) => /^[A-Za-z][A-Za-z0-9-]*=/.test(ref) && ref.includes(",");

/**
 * Applies one mapping inside a transaction: finds the group by DN or name, creating it when the
 * directory has not been read yet (a DN creates a directory group; a name, a Carve team). A role
 * mapping recomputes the roles of the group's directory users at once.
 */
export async function applyGroupMapping(tx: Tx, actor: TActor, mapping: TGroupMapping): Promise<Group> {
  const group = await upsertGroup(tx, mapping);
  if (mapping.role !== undefined) await recomputeDirectoryRoles(tx, actor, group.id);
  return group;
}

async function upsertGroup(tx: Tx, mapping: TGroupMapping): Promise<Group> {
  const data = { ...(mapping.role !== undefined ? { role: mapping.role } : {}), ...(mapping.team !== undefined ? { isTeam: mapping.team } : {}) };
  if (looksLikeDn(mapping.group)) {
    const wanted = normalizeDn(mapping.group);
    const groups = await tx.group.findMany({ where: { ldapDn: { not: null } } });
    const existing = groups.find((g) => g.ldapDn !== null && normalizeDn(g.ldapDn) === wanted);
    if (existing) return tx.group.update({ where: { id: existing.id }, data });
    const name = await freeGroupName(tx, firstRdnValue(mapping.group), mapping.group);
    return tx.group.create({ data: { name, ldapDn: mapping.group, ...data } });
  }
  return tx.group.upsert({ where: { name: mapping.group }, create: { name: mapping.group, ...data }, update: data });
}

/** A group's name is its cn; two directory groups with one cn keep their DN as the name. */
export async function freeGroupName(tx: Tx, name: string, dn: string): Promise<string> {
  const taken = await tx.group.findUnique({ where: { name }, select: { ldapDn: true } });
  return taken && taken.ldapDn !== dn ? dn : name;
}

/**
 * Maps a group to a role (its members become admins or plain users) and/or marks it a team.
 * Its directory users' roles change at once (their next request has the new role). Admins only.
 */
export async function mapGroup(deps: CoreDeps, actor: TActor, input: unknown): Promise<Group> {
  requireAdmin(actor, "map groups to roles and teams");
  const data = parseInput(ZMapGroupInput, input);
  return deps.db.$transaction((tx) => applyGroupMapping(tx, actor, data));
}
