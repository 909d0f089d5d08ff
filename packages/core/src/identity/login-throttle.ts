import { createHash, createHmac } from "node:crypto";
import type { Db } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import type { TThrottlePolicy } from "./identity-options.ts";

// The sign-in throttle slows a guesser without letting a stranger lock anyone out:
// - per (username, address): after a few failures each further one doubles a short pause;
// - per username: many failures from addresses that never signed in as that user pause only such
//   addresses (the user still signs in from an address they used before);
// - per address: many failures from one address pause it only for usernames that never signed in
//   from there (a NAT neighbour's spray does not lock out the office).
// The client address must be the socket's (or a trusted proxy's report), never a client's header.

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The throttle keys of one attempt. The username only ever as a hash; addresses are not secret. */
export interface TThrottleKeys {
  user: string;
  pair: string | null;
  address: string | null;
  /** The KnownSignInAddress key of (username, address). */
  known: string | null;
}

const userHash = (username: string) => sha256(username.trim().toLowerCase());

/**
 * The keys of one attempt. The known-address key is an HMAC under CARVE_SECRET_KEY when one is
 * configured, so the table cannot be turned back into who signs in from where by trying addresses.
 */
export function throttleKeys(username: string, clientAddr: string | undefined, secretKey: Buffer | null = null): TThrottleKeys {
  const user = userHash(username);
  const address = clientAddr ? clientAddr.slice(0, 100).toLowerCase() : null;
  if (!address) return { user: `u:${user}`, pair: null, address: null, known: null };
  const pair = `${user}\n${address}`;
  const known = secretKey ? createHmac("sha256", secretKey).update(`carve-known-sign-in-address\n${pair}`).digest("hex") : sha256(pair);
  return { user: `u:${user}`, pair: `p:${user}:${address}`, address: `a:${address}`, known };
}

/** Whether this username signed in successfully from this address before (within the policy's memory). */
async function isKnownAddress(db: Db, keys: TThrottleKeys, policy: TThrottlePolicy, now: Date): Promise<boolean> {
  if (!keys.known) return false;
  const row = await db.knownSignInAddress.findUnique({ where: { key: keys.known }, select: { lastSeenAt: true } });
  return row !== null && row.lastSeenAt.getTime() > now.getTime() - policy.knownAddressMs;
}

const MESSAGES = {
  pair: (s: number) => `Too many failed sign-ins for this username from your address. Try again in ${s} s; each further failure doubles the wait.`,
  user: (s: number) => `Too many failed sign-ins for this username from addresses it has not signed in from before. Try again in ${s} s, sign in from a network you have used before, or ask a Carve admin to unlock it.`,
  address: (s: number) => `Too many failed sign-ins from your network address. Try again in ${s} s, or ask a Carve admin to unlock it.`,
};

/**
 * Refuses with THROTTLED while this attempt is paused, saying in how many seconds to try again;
 * the same for known and unknown usernames. Returns whether the address is known good for the
 * username (recordFailure needs it).
 */
export async function assertNotThrottled(db: Db, keys: TThrottleKeys, policy: TThrottlePolicy, now: Date): Promise<{ knownAddress: boolean }> {
  const knownAddress = await isKnownAddress(db, keys, policy, now);
  const candidates = [keys.pair, ...(knownAddress ? [] : [keys.user, keys.address])].filter((k): k is string => k !== null);
  const rows = await db.loginThrottle.findMany({ where: { key: { in: candidates }, lockedUntil: { gt: now } }, select: { key: true, lockedUntil: true } });
  const latest = rows.sort((a, b) => (b.lockedUntil?.getTime() ?? 0) - (a.lockedUntil?.getTime() ?? 0))[0];
  if (!latest?.lockedUntil) return { knownAddress };
  const seconds = Math.max(1, Math.ceil((latest.lockedUntil.getTime() - now.getTime()) / 1000));
  const kind = latest.key === keys.pair ? "pair" : latest.key === keys.user ? "user" : "address";
  throw new CarveError("THROTTLED", MESSAGES[kind](seconds), { details: { retryAfterSeconds: seconds } });
}

/** Counts one failure against `key` (atomic increment; an expired window starts over) and returns the count. */
async function countFailure(db: Db, key: string, policy: TThrottlePolicy, now: Date): Promise<number> {
  const row = await db.loginThrottle.upsert({ where: { key }, create: { key, failures: 1, windowStartedAt: now }, update: { failures: { increment: 1 } } });
  if (row.windowStartedAt.getTime() >= now.getTime() - policy.windowMs) return row.failures;
  await db.loginThrottle.update({ where: { key }, data: { failures: 1, windowStartedAt: now } });
  return 1;
}

async function pause(db: Db, key: string, ms: number, now: Date): Promise<void> {
  await db.loginThrottle.update({ where: { key }, data: { lockedUntil: new Date(now.getTime() + ms) } });
}

/**
 * Counts one failed sign-in. The (username, address) pair backs off exponentially from
 * `backoffMs` once it reaches `maxFailuresPerPair`; the username's and the address's counts only
 * grow from addresses that are not known good for this username, and pause for one window.
 */
export async function recordFailure(db: Db, keys: TThrottleKeys, policy: TThrottlePolicy, now: Date, knownAddress: boolean): Promise<void> {
  if (keys.pair) {
    const failures = await countFailure(db, keys.pair, policy, now);
    const over = failures - policy.maxFailuresPerPair;
    if (over >= 0) await pause(db, keys.pair, Math.min(policy.windowMs, policy.backoffMs * 2 ** Math.min(over, 30)), now);
  }
  if (knownAddress) return;
  if ((await countFailure(db, keys.user, policy, now)) >= policy.maxFailuresPerUser) await pause(db, keys.user, policy.windowMs, now);
  if (keys.address && (await countFailure(db, keys.address, policy, now)) >= policy.maxFailuresPerAddress) await pause(db, keys.address, policy.windowMs, now);
}

/**
 * A successful sign-in remembers the address as known good for the username and clears the pair's
 * count. Not the username's nor the address's: one good sign-in must not reset a guesser's count.
 */
export async function recordSuccess(db: Db, keys: TThrottleKeys, now: Date): Promise<void> {
  if (keys.known) await db.knownSignInAddress.upsert({ where: { key: keys.known }, create: { key: keys.known, lastSeenAt: now }, update: { lastSeenAt: now } });
  if (keys.pair) await db.loginThrottle.deleteMany({ where: { key: keys.pair } });
}

/** Clears every count and pause of a username (all its addresses); returns how many were cleared. */
export async function clearUserThrottle(db: Db, username: string): Promise<number> {
  const user = userHash(username);
  const { count } = await db.loginThrottle.deleteMany({ where: { OR: [{ key: `u:${user}` }, { key: { startsWith: `p:${user}:` } }] } });
  return count;
}

/** Clears every count and pause of a client address (all usernames tried from it); returns how many were cleared. */
export async function clearAddressThrottle(db: Db, clientAddr: string): Promise<number> {
  const address = clientAddr.trim().toLowerCase();
  // A pair key is `p:<64 hex>:<address>`; an IPv6 address has colons, so compare the whole tail.
  const pairs = await db.loginThrottle.findMany({ where: { key: { startsWith: "p:", endsWith: `:${address}` } }, select: { key: true } });
  const keys = [`a:${address}`, ...pairs.map((p) => p.key).filter((key) => key.slice(67) === address)];
  const { count } = await db.loginThrottle.deleteMany({ where: { key: { in: keys } } });
  return count;
}

/** Forgets counts whose window and pause are long over, and known addresses past their memory (the controller calls this now and then). */
export async function pruneThrottle(db: Db, policy: TThrottlePolicy, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - 2 * policy.windowMs);
  const { count } = await db.loginThrottle.deleteMany({ where: { updatedAt: { lt: cutoff } } });
  const known = await db.knownSignInAddress.deleteMany({ where: { lastSeenAt: { lt: new Date(now.getTime() - policy.knownAddressMs) } } });
  return count + known.count;
}
