import type { CoreDeps } from "../context.ts";
import { newSessionToken, SESSION_TTL_MS } from "./session-token.ts";

/** A new portal session: the token goes into the (encrypted) cookie and nowhere else. */
export interface TStartedSession {
  sessionToken: string;
  expiresAt: Date;
}

/**
 * Records a portal session for a user who has just signed in (the portal calls it right after
 * `authenticate`). The session lasts SESSION_TTL_MS at most and ends earlier on sign-out, when
 * an admin ends the user's sessions, on a password reset or when the account is disabled.
 */
export async function startSession(deps: Pick<CoreDeps, "db" | "now">, input: { userId: string }): Promise<TStartedSession> {
  const { token, hash } = newSessionToken();
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await deps.db.session.create({ data: { tokenHash: hash, userId: input.userId, createdAt: now, lastSeenAt: now, expiresAt }, select: { id: true } });
  return { sessionToken: token, expiresAt };
}
