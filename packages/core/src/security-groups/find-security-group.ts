import type { Db, Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isAdmin, type TActor } from "../identity/actor.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { DEFAULT_GROUP, ensureDefaultGroup } from "./default-group.ts";

export interface TFoundGroup {
  id: string;
  name: string;
  ownerId: string;
}

/**
 * A security group by id, or by name among `ownerId`'s groups (the acting user's by default; a
 * VM's owner's when a VM's groups are set). The actor must own it or be an admin; a group they may
 * not manage is reported exactly like one that does not exist. "default" is created on first use.
 */
export async function findSecurityGroup(db: Db | Tx, actor: TActor, ref: string, options: { ownerId?: string; field?: string } = {}): Promise<TFoundGroup> {
  const field = options.field ?? "group";
  const ownerId = options.ownerId ?? (actor.kind === "user" ? actor.userId : null);
  const select = { id: true, name: true, ownerId: true } as const;
  let group: TFoundGroup | null = null;
  if (isUuid(ref)) group = await db.securityGroup.findUnique({ where: { id: ref }, select });
  if (!group && ownerId) {
    group = await db.securityGroup.findUnique({ where: { ownerId_name: { ownerId, name: ref } }, select });
    if (!group && ref === DEFAULT_GROUP) group = { ...(await ensureDefaultGroup(db, ownerId)), ownerId };
  }
  if (!group || !(isAdmin(actor) || (actor.kind === "user" && group.ownerId === actor.userId))) {
    throw new CarveError("SECURITY_GROUP_NOT_FOUND", `No security group '${ref}' among the groups you can manage. List them with 'carve sg list'.`, {
      fields: [{ field, message: `'${ref}' is not one of your security groups` }],
    });
  }
  return group;
}
