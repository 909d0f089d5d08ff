import type { Db, Host, Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";

/** A host by name or id, or HOST_NOT_FOUND naming the field. */
export async function resolveHost(db: Db | Tx, ref: string, field = "host"): Promise<Host> {
  const host = await db.host.findFirst({ where: { ...(isUuid(ref) ? { id: ref } : { name: ref }), state: { not: "Removed" } } });
  if (!host) {
    throw new CarveError("HOST_NOT_FOUND", `No host '${ref}'. See the hosts with 'host list'.`, {
      fields: [{ field, message: `'${ref}' is not a registered host` }],
    });
  }
  return host;
}
