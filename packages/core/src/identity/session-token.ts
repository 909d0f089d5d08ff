import { randomBytes } from "node:crypto";
import { sha256 } from "./api-key-format.ts";

/** How long a portal session lasts at most (the cookie's own lifetime is the same). */
export const SESSION_TTL_MS = 12 * 3600_000;

/** Why a session ended, shown to admins and recorded on the row. */
export type TSessionEndReason = "signed-out" | "ended-by-admin" | "password-reset" | "disabled";

/** A session token: 32 random bytes, base64url. Only its sha256 is stored. */
export function newSessionToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: sha256(token) };
}

/** The stored hash of a presented token, or null for anything that cannot be one. */
export function sessionTokenHash(token: string): string | null {
  return /^[A-Za-z0-9_-]{43}$/.test(token) ? sha256(token) : null;
}
