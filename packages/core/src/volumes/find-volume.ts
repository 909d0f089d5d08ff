import type { Db, Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isAdmin, type TActor } from "../identity/actor.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { way } from "../errors/front-door-ways.ts";

/**
 * Finds a volume (not deleted) by id or name that the actor may act on: owners their own, admins
 * all. A volume the actor may not see is reported exactly like one that does not exist.
 */
export async function findVolumeForActor(db: Db | Tx, actor: TActor, ref: string): Promise<{ id: string; name: string }> {
  const ownerFilter = isAdmin(actor) ? {} : { ownerId: actor.kind === "user" ? actor.userId : "" };
  const found = await db.volume.findMany({
    where: { ...(isUuid(ref) ? { id: ref } : { name: ref }), ...ownerFilter, state: { not: "Deleted" } },
    select: { id: true, name: true, ownerId: true },
    take: 10,
  });
  const mine = actor.kind === "user" ? found.filter((v) => v.ownerId === actor.userId) : [];
  const [only] = found.length === 1 ? found : mine.length === 1 ? mine : [];
  if (only) return only;
  if (found.length === 0) throw new CarveError("VOLUME_NOT_FOUND", `No volume '${ref}' among the volumes you can manage. List them with ${way("volumes")}.`);
  throw new CarveError("INVALID_INPUT", `Several volumes are named '${ref}'; use the volume's id instead.`, {
    fields: [{ field: "volume", message: "is ambiguous: use the volume's id" }],
  });
}
