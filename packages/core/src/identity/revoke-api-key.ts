import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { isAdmin, requireUser, requireWriteScope, type TActor } from "./actor.ts";
import { API_KEY_VIEW } from "./api-key-view.ts";

/**
 * Revokes an API key by id or prefix (or the whole key); it stops working on its next use.
 * Owners revoke their own keys, admins anyone's. Revoking twice keeps the first time.
 */
export async function revokeApiKey(deps: CoreDeps, actor: TActor, ref: string) {
  const me = requireUser(actor);
  requireWriteScope(actor, "revoke API keys");
  const prefix = ref.replace(/^carve_/, "").slice(0, 12);
  const key = await deps.db.apiKey.findFirst({ where: isUuid(ref) ? { id: ref } : { prefix }, select: { id: true, userId: true, revokedAt: true } });
  if (!key || (key.userId !== me.userId && !isAdmin(actor))) {
    throw new CarveError("API_KEY_NOT_FOUND", `No API key '${prefix}' of yours. See your keys and their prefixes with 'carve apikey list'.`);
  }
  const revoked = await deps.db.apiKey.update({ where: { id: key.id }, data: { revokedAt: key.revokedAt ?? deps.now() }, select: API_KEY_VIEW });
  deps.log.info({ keyId: key.id, by: me.username }, "API key revoked");
  return revoked;
}
