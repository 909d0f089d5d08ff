import type { Tx } from "@carve/db";
import { recordAudit } from "../audit/record-audit.ts";
import type { CoreDeps } from "../context.ts";
import { endConsoleSessions } from "../console/end-console-sessions.ts";
import type { TOrigin } from "./actor.ts";
import { sessionTokenHash, type TSessionEndReason } from "./session-token.ts";

/**
 * Ends every live session of a user inside the caller's transaction (disabling the account,
 * resetting the password, an admin's "sign out everywhere"); returns how many were live. Their
 * VM consoles end with them: a console acts as its user (issue 18).
 */
export async function endSessionsOf(tx: Tx, userId: string, reason: TSessionEndReason, now: Date): Promise<number> {
  const { count } = await tx.session.updateMany({ where: { userId, endedAt: null, expiresAt: { gt: now } }, data: { endedAt: now, endedReason: reason } });
  await endConsoleSessions(tx, { userId }, CONSOLE_END_REASONS[reason], now);
  return count;
}

const CONSOLE_END_REASONS: Record<TSessionEndReason, string> = {
  "signed-out": "its user signed out",
  "ended-by-admin": "an admin signed its user out everywhere",
  "password-reset": "its user's password was reset",
  disabled: "its user's account was disabled",
};

/**
 * Signs out: ends the one session whose token the cookie carried (the user's other sessions go
 * on), so a copy of the cookie stops working too. Audited as `auth.logout`. A token that is no
 * live session does nothing: signing out twice is not an error.
 */
export async function endSession(deps: Pick<CoreDeps, "db" | "log" | "now">, input: { sessionToken: string; origin?: TOrigin }): Promise<{ ended: boolean }> {
  const hash = sessionTokenHash(input.sessionToken);
  if (!hash) return { ended: false };
  const now = deps.now();
  const session = await deps.db.session.findUnique({ where: { tokenHash: hash }, select: { id: true, endedAt: true, user: { select: { id: true, username: true, role: true } } } });
  if (!session || session.endedAt) return { ended: false };
  await deps.db.session.update({ where: { id: session.id }, data: { endedAt: now, endedReason: "signed-out" }, select: { id: true } });
  const actor = { kind: "user" as const, userId: session.user.id, username: session.user.username, role: session.user.role, via: "portal" as const, origin: input.origin };
  await recordAudit(deps, actor, { action: "auth.logout", outcome: "ok", target: { type: "session", id: session.id } });
  return { ended: true };
}
