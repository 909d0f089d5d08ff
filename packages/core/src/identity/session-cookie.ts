import { z } from "zod";

// The portal's session cookie, as every front door that reads it sees it: the portal (which writes
// it through next-auth) and the console proxy (which gets it with the browser's WebSocket upgrade).
// Core does not decode it (that is next-auth's, which core may not import); it says what it holds.

/**
 * What the (encrypted) session cookie carries under `carve`: the token of the server-side session
 * record that validateSession checks on every request; the user's id, name and role only as they
 * were at sign-in (the role that counts is always the database's, read by validateSession).
 */
export const ZSessionCookieClaims = z.object({ sessionToken: z.string(), userId: z.string(), username: z.string(), role: z.enum(["Admin", "User"]) });
export type TSessionCookieClaims = z.infer<typeof ZSessionCookieClaims>;

/** next-auth's session cookie name for a portal at `portalUrl`: `__Secure-` prefixed (Secure, httpOnly) over https. */
export function sessionCookieName(portalUrl: string): string {
  return `${portalUrl.startsWith("https://") ? "__Secure-" : ""}next-auth.session-token`;
}

/** The claims in a decoded session cookie (next-auth's JWT), or null when it holds none of Carve's. */
export function sessionCookieClaims(decoded: Record<string, unknown> | null): TSessionCookieClaims | null {
  const claims = ZSessionCookieClaims.safeParse(decoded?.["carve"]);
  return claims.success ? claims.data : null;
}
