import type { User, UserRecord } from "@carve/db";
import { z } from "zod";
import { CarveError, isCarveError } from "../errors/index.ts";
import { parseInput } from "../validation/parse-input.ts";
import type { TUserActor } from "./actor.ts";
import { loadDirectory } from "./directory/directory-settings.ts";
import { identityOptions, type TIdentityDeps } from "./identity-options.ts";
import { assertNotThrottled, recordFailure, recordSuccess, throttleKeys } from "./login-throttle.ts";
import { verifyNothing, verifyPassword } from "./passwords.ts";
import { recordSignIn } from "./record-sign-in.ts";
import { verifyDirectoryUser } from "./directory/verify-directory-user.ts";

export const ZCredentials = z.object({
  // Surrounding spaces are a paste accident, not part of a name (directories ignore them too).
  username: z.string({ error: "is required" }).max(256, "is longer than 256 characters").trim(),
  password: z.string({ error: "is required" }).max(1024, "is longer than 1024 characters"),
  clientAddr: z.string().max(100).optional(),
  requestId: z.string().max(128).optional(),
  via: z.enum(["cli", "portal", "api", "slack"]).default("portal"),
});

/** A successful sign-in: the actor to act as, and what a session needs to stay valid. */
export interface TAuthenticated {
  actor: TUserActor;
  user: Pick<User, "id" | "username" | "source" | "role" | "displayName" | "email">;
}

const INVALID = "Unknown username or wrong password. Check both and try again.";

/**
 * Signs a user in with username and password, for every front door. A local account is checked
 * against its argon2id hash and never against the directory; any other name against the
 * directory (and the user created or refreshed from it). Unknown user and wrong password give
 * the same INVALID_CREDENTIALS after the same minimum time; repeated failures answer THROTTLED
 * with when to retry (login-throttle.ts: a stranger cannot lock a user out of their usual address). Empty passwords are refused before
 * any directory bind. A disabled account answers ACCOUNT_DISABLED (after a correct password).
 */
export async function authenticate(deps: TIdentityDeps, input: unknown): Promise<TAuthenticated> {
  const started = performance.now();
  const data = parseInput(ZCredentials, input);
  for (const field of ["username", "password"] as const) {
    if (data[field].length === 0) throw new CarveError("INVALID_INPUT", `Invalid input. ${field}: is required`, { fields: [{ field, message: "is required" }] });
  }
  const options = identityOptions(deps);
  const keys = throttleKeys(data.username, data.clientAddr, options.secretKey);
  const attempt = { via: data.via, clientAddr: data.clientAddr, requestId: data.requestId };
  const { knownAddress } = await assertNotThrottled(deps.db, keys, options.throttle, deps.now()).catch(async (error: unknown) => {
    // A paused attempt is audited too: an admin sees the guessing go on, and from where.
    if (isCarveError(error)) await recordSignIn(deps.db, { ...attempt, user: null, action: "auth.login", errorCode: error.code });
    throw error;
  });

  let user: UserRecord | null;
  try {
    user = await verifyCredentials(deps, data.username, data.password, options.secretKey, options.ldapTimeoutMs);
  } catch (error) {
    if (isCarveError(error)) await recordSignIn(deps.db, { ...attempt, user: null, action: "auth.login", errorCode: error.code });
    throw error;
  }
  if (!user) {
    await recordFailure(deps.db, keys, options.throttle, deps.now(), knownAddress);
    await recordSignIn(deps.db, { ...attempt, user: null, action: "auth.login", errorCode: "INVALID_CREDENTIALS" });
    await waitUntil(started + options.failureFloorMs);
    throw new CarveError("INVALID_CREDENTIALS", INVALID);
  }
  if (user.disabledAt) {
    await recordSignIn(deps.db, { ...attempt, user, action: "auth.login", errorCode: "ACCOUNT_DISABLED" });
    throw new CarveError("ACCOUNT_DISABLED", `The Carve account ${user.username} is disabled${user.disabledReason === "directory" ? " because the directory disabled or removed it" : ""}. Ask a Carve admin.`);
  }
  await recordSuccess(deps.db, keys, deps.now());
  await deps.db.user.update({ where: { id: user.id }, data: { lastLoginAt: deps.now() }, select: { id: true } });
  await recordSignIn(deps.db, { ...attempt, user, action: "auth.login" });
  return {
    actor: { kind: "user", userId: user.id, username: user.username, role: user.role, via: data.via },
    user: { id: user.id, username: user.username, source: user.source, role: user.role, displayName: user.displayName, email: user.email },
  };
}

/** The user whose password this is, or null; directory trouble throws. */
async function verifyCredentials(deps: TIdentityDeps, username: string, password: string, secretKey: Buffer | null, timeoutMs: number): Promise<UserRecord | null> {
  // PostgreSQL text cannot hold NUL: such a name is no Carve account, though the directory is still asked.
  const local = username.includes("\u0000") ? null : await deps.db.user.findUnique({ where: { username: username.toLowerCase() }, omit: { passwordHash: false } });
  if (local?.source === "Local") {
    if (!local.passwordHash) return verifyNothing(password).then(() => null);
    return (await verifyPassword(local.passwordHash, password)) ? local : null;
  }
  const directory = await loadDirectory(deps.db, secretKey);
  if (!directory) return verifyNothing(password).then(() => null);
  return verifyDirectoryUser(deps, directory, username, password, timeoutMs);
}

/** Sleeps until performance.now() reaches `deadline` (timers may fire a little early: check again). */
async function waitUntil(deadline: number): Promise<void> {
  for (let left = deadline - performance.now(); left > 0; left = deadline - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}
