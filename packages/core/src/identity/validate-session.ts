import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TUserActor, TVia } from "./actor.ts";
import { sessionTokenHash } from "./session-token.ts";

export interface TSessionClaims {
  /** The token `startSession` returned, carried by the session cookie. */
  sessionToken: string;
  via?: TVia;
}

// lastSeenAt is for admins ("active 3 min ago"), not security: one write a minute per session is enough.
const SEEN_EVERY_MS = 60_000;

const ENDED: Record<string, string> = {
  "signed-out": "you signed out",
  "ended-by-admin": "an admin signed you out everywhere",
  "password-reset": "your password was reset",
  disabled: "your account was disabled",
};

/**
 * Checks a portal session on every request: its record exists, has not ended (sign-out, an admin
 * ending the user's sessions, a password reset, the account disabled) nor expired, and the user
 * is not disabled. Returns the actor with the user's current role (a role taken away is gone on
 * the next request), or SESSION_EXPIRED / ACCOUNT_DISABLED.
 */
export async function validateSession(deps: Pick<CoreDeps, "db" | "now">, claims: TSessionClaims): Promise<TUserActor> {
  const hash = sessionTokenHash(claims.sessionToken);
  const session = hash
    ? await deps.db.session.findUnique({
        where: { tokenHash: hash },
        select: { id: true, expiresAt: true, endedAt: true, endedReason: true, lastSeenAt: true, user: { select: { id: true, username: true, role: true, disabledAt: true } } },
      })
    : null;
  const now = deps.now();
  if (!session || session.endedAt || session.expiresAt <= now) {
    const why = session?.endedAt ? ` (${ENDED[session.endedReason ?? ""] ?? "it was ended"})` : session ? " (it expired)" : "";
    throw new CarveError("SESSION_EXPIRED", `Your session has ended${why}. Sign in again.`);
  }
  const { user } = session;
  if (user.disabledAt) throw new CarveError("ACCOUNT_DISABLED", `The Carve account ${user.username} is disabled. Ask a Carve admin.`);
  if (now.getTime() - session.lastSeenAt.getTime() >= SEEN_EVERY_MS) {
    await deps.db.session.update({ where: { id: session.id }, data: { lastSeenAt: now }, select: { id: true } });
  }
  return { kind: "user", userId: user.id, username: user.username, role: user.role, via: claims.via ?? "portal" };
}
