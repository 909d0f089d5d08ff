import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { isAdmin, requireUser, type TActor } from "./actor.ts";
import { resolveUser } from "./resolve-user.ts";

/** What lists and answers show of a key: never its hash, and the secret only on creation. */
export const API_KEY_VIEW = {
  id: true,
  name: true,
  prefix: true,
  scope: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  user: { select: { username: true } },
} as const;

/**
 * The user whose keys are meant: the actor, or (admins only) the user named by `ref`.
 */
export async function keyOwner(deps: CoreDeps, actor: TActor, ref: string | undefined): Promise<{ id: string }> {
  const me = requireUser(actor);
  if (!ref || ref === me.username || ref === me.userId) return { id: me.userId };
  if (!isAdmin(actor)) throw new CarveError("FORBIDDEN", "Only administrators can manage other users' API keys.");
  return resolveUser(deps.db, ref);
}
