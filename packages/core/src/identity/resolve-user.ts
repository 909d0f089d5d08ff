import type { Db } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";

/** A user by id or username (case-insensitive), or USER_NOT_FOUND saying how to find the right name. */
export async function resolveUser(db: Db, ref: string): Promise<{ id: string; username: string; source: "Local" | "Ldap" }> {
  const user = isUuid(ref)
    ? await db.user.findUnique({ where: { id: ref }, select: { id: true, username: true, source: true } })
    : ref.includes("\u0000")
      ? null
      : await db.user.findUnique({ where: { username: ref.toLowerCase() }, select: { id: true, username: true, source: true } });
  if (!user) {
    throw new CarveError("USER_NOT_FOUND", `No user '${ref.replace(/[\u0000-\u001f]/g, "?")}'. See the users with 'carve user list'.`, { fields: [{ field: "user", message: "is not a Carve user" }] });
  }
  return user;
}
