import { createHash } from "node:crypto";
import type { Db } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import type { TThrottlePolicy } from "./identity-options.ts";

/** The throttle keys of one attempt: the username (hashed: never stored) and the client address. */
export interface TThrottleKeys {
  user: string;
  address: string | null;
}

export function throttleKeys(username: string, clientAddr: string | undefined): TThrottleKeys {
  const user = `u:${createHash("sha256").update(username.toLowerCase(), "utf8").digest("hex")}`;
  return { user, address: clientAddr ? `a:${clientAddr.slice(0, 100)}` : null };
}

/**
 * Refuses with THROTTLED while the username or the address is paused, saying in how many
 * seconds to try again. The same for known and unknown usernames.
 */
export async function assertNotThrottled(db: Db, keys: TThrottleKeys, now: Date): Promise<void> {
  const rows = await db.loginThrottle.findMany({
    where: { key: { in: [keys.user, ...(keys.address ? [keys.address] : [])] }, lockedUntil: { gt: now } },
    select: { key: true, lockedUntil: true },
  });
  const until = Math.max(0, ...rows.map((r) => r.lockedUntil?.getTime() ?? 0));
  if (until === 0) return;
  const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  const what = rows.some((r) => r.key === keys.user) ? "this username" : "your network address";
  throw new CarveError("THROTTLED", `Too many failed sign-ins for ${what}. Try again in ${seconds} s.`, { details: { retryAfterSeconds: seconds } });
}

/**
 * Counts one failed sign-in against each key (an atomic increment, so concurrent failures all
 * count); a count from an expired window starts over; a key reaching its limit within the window
 * is paused for one window.
 */
export async function recordFailure(db: Db, keys: TThrottleKeys, policy: TThrottlePolicy, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const entries: [string, number][] = [[keys.user, policy.maxFailuresPerUser]];
  if (keys.address) entries.push([keys.address, policy.maxFailuresPerAddress]);
  for (const [key, limit] of entries) {
    let row = await db.loginThrottle.upsert({
      where: { key },
      create: { key, failures: 1, windowStartedAt: now },
      update: { failures: { increment: 1 } },
    });
    if (row.windowStartedAt < windowStart) {
      row = await db.loginThrottle.update({ where: { key }, data: { failures: 1, windowStartedAt: now } });
    }
    if (row.failures >= limit) {
      await db.loginThrottle.update({ where: { key }, data: { lockedUntil: new Date(now.getTime() + policy.windowMs) } });
    }
  }
}

/** A successful sign-in clears the username's count (not the address's: one good login must not hide a spray). */
export async function clearFailures(db: Db, keys: TThrottleKeys): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key: keys.user } });
}

/** Forgets counts whose window and pause are long over (the controller calls this now and then). */
export async function pruneThrottle(db: Db, policy: TThrottlePolicy, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - 2 * policy.windowMs);
  const { count } = await db.loginThrottle.deleteMany({ where: { updatedAt: { lt: cutoff } } });
  return count;
}
