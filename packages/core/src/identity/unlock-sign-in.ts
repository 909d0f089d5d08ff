import { isIP } from "node:net";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { parseInput } from "../validation/parse-input.ts";
import { requireAdmin, requireWriteScope, type TActor } from "./actor.ts";
import { clearAddressThrottle, clearUserThrottle } from "./login-throttle.ts";

export const ZUnlockSignInInput = z.strictObject({
  /** A username, or a client address (IPv4 or IPv6). */
  target: z.string({ error: "is required: a username or an IP address" }).trim().min(1, "is required: a username or an IP address").max(256, "is longer than 256 characters"),
});

/** What an unlock cleared. */
export interface TUnlockResult {
  target: string;
  kind: "user" | "address";
  /** How many throttle records (counts or pauses) were removed; 0: nothing was locked. */
  cleared: number;
}

/**
 * Clears the sign-in throttle of a username (every address it was tried from) or of a client
 * address (every username tried from it), admins only (`carve auth unlock USER|ADDRESS`, the
 * admin users page, POST /api/v1/admin/sign-in-unlock). The username need not be a Carve account
 * yet: a directory user's first sign-in may be the one that is paused.
 */
export async function unlockSignIn(deps: CoreDeps, actor: TActor, input: unknown): Promise<TUnlockResult> {
  requireAdmin(actor, "clear sign-in lockouts");
  requireWriteScope(actor, "clear sign-in lockouts");
  const { target } = parseInput(ZUnlockSignInInput, input);
  const kind = isIP(target) === 0 ? "user" : "address";
  const cleared = kind === "user" ? await clearUserThrottle(deps.db, target) : await clearAddressThrottle(deps.db, target);
  deps.log.info({ kind, cleared }, "sign-in throttle cleared");
  return { target, kind, cleared };
}
