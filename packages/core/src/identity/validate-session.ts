import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TUserActor, TVia } from "./actor.ts";

export interface TSessionClaims {
  userId: string;
  /** The user's sessionEpoch when the session was issued (authenticate returns it). */
  sessionEpoch: number;
  via?: TVia;
}

/**
 * Checks that a session issued at sign-in is still good, on every request (next-auth's jwt or
 * session callback calls this): the user exists, is not disabled, and has not had every session
 * ended since (password reset, sign-out everywhere, disabled and re-enabled: each bumps the
 * epoch). Returns the actor with the user's current role, or SESSION_EXPIRED / ACCOUNT_DISABLED.
 */
export async function validateSession(deps: CoreDeps, claims: TSessionClaims): Promise<TUserActor> {
  const user = /^[0-9a-f-]{36}$/i.test(claims.userId)
    ? await deps.db.user.findUnique({ where: { id: claims.userId }, select: { id: true, username: true, role: true, disabledAt: true, sessionEpoch: true } })
    : null;
  if (!user || user.sessionEpoch !== claims.sessionEpoch) {
    throw new CarveError("SESSION_EXPIRED", "Your session has ended (signed out everywhere, password changed or account changed). Sign in again.");
  }
  if (user.disabledAt) throw new CarveError("ACCOUNT_DISABLED", `The Carve account ${user.username} is disabled. Ask a Carve admin.`);
  return { kind: "user", userId: user.id, username: user.username, role: user.role, via: claims.via ?? "portal" };
}
