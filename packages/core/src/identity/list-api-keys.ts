import type { CoreDeps } from "../context.ts";
import type { TActor } from "./actor.ts";
import { API_KEY_VIEW, keyOwner } from "./api-key-view.ts";

/** The acting user's API keys (admins: any user's), newest first, without secrets. */
export async function listApiKeys(deps: CoreDeps, actor: TActor, input: { user?: string | undefined } = {}) {
  const owner = await keyOwner(deps, actor, input.user);
  return deps.db.apiKey.findMany({ where: { userId: owner.id }, orderBy: { createdAt: "desc" }, select: API_KEY_VIEW });
}
