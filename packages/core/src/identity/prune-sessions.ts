import type { Db } from "@carve/db";
import { identityOptions, type TIdentityDeps } from "./identity-options.ts";
import { pruneThrottle } from "./login-throttle.ts";

/** Ended and expired sessions are kept this long (who was signed in when), then deleted. */
export const SESSION_RETENTION_MS = 7 * 24 * 3600_000;

/** Deletes sessions that ended or expired more than SESSION_RETENTION_MS ago (the controller calls this now and then). */
export async function pruneSessions(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - SESSION_RETENTION_MS);
  const { count } = await db.session.deleteMany({ where: { OR: [{ expiresAt: { lt: cutoff } }, { endedAt: { lt: cutoff } }] } });
  return count;
}

/**
 * The controller's housekeeping of sign-in records, now and then: stale failure counts and known
 * addresses (the throttle policy in force) and sessions past their retention.
 */
export async function pruneSignInRecords(deps: TIdentityDeps): Promise<number> {
  const now = deps.now();
  return (await pruneThrottle(deps.db, identityOptions(deps).throttle, now)) + (await pruneSessions(deps.db, now));
}
