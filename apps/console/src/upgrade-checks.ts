import type { IncomingMessage } from "node:http";
import { CarveError, clientAddress, sessionCookieClaims, sessionCookieName, validateSession, type CoreDeps, type TTrustedProxies, type TUserActor } from "@carve/core";

// The checks of a browser's WebSocket upgrade, before any console byte: where it comes from (the
// portal's own pages only) and who is signed in (the portal's session cookie, checked by core).

export interface TUpgradeSettings {
  /** The portal's public URL (NEXTAUTH_URL): its origin is the only one allowed. */
  portalUrl: string;
  /** The portal's NEXTAUTH_SECRET, to decode its session cookie. */
  sessionSecret: string;
  trustedProxies: TTrustedProxies;
}

/**
 * A WebSocket carries the browser's cookies whatever page opened it, so a page on another site
 * could drive a signed-in user's console (cross-site WebSocket hijacking): only the portal's own
 * origin may open one. FORBIDDEN otherwise.
 */
export function assertPortalOrigin(request: IncomingMessage, settings: TUpgradeSettings): void {
  const expected = new URL(settings.portalUrl).origin;
  const origin = request.headers.origin;
  if (origin !== expected) {
    throw new CarveError("FORBIDDEN", `Consoles open only from the Carve portal's own pages (${expected}); this request came from ${origin ? origin.slice(0, 100) : "no page (no Origin header)"}.`);
  }
}

/** One cookie's value from a Cookie header (the first of that name, as browsers send the most specific first). */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** next-auth's own cookie decoding (JWE, keyed from NEXTAUTH_SECRET), the function the portal's auth.ts calls. */
type TDecode = (params: { token: string; secret: string }) => Promise<Record<string, unknown> | null>;

/**
 * Loaded by a computed specifier, so untyped on purpose: next-auth/jwt's declarations import Next's,
 * whose globals (NODE_ENV required on process.env, the DOM) would then be forced on every package
 * that imports the proxy (the browser tests start it in process). The runtime module is the same.
 */
const nextAuthJwt = "next-auth/jwt";
async function decodeCookie(token: string, secret: string): Promise<Record<string, unknown> | null> {
  const { decode } = (await import(nextAuthJwt)) as { decode: TDecode };
  return decode({ token, secret }).catch(() => null);
}

/**
 * The user signed in to the portal in this browser: the portal's session cookie, decoded as the
 * portal does, then checked by core (an ended session or a disabled account is refused at once).
 * @throws CarveError UNAUTHENTICATED, SESSION_EXPIRED, ACCOUNT_DISABLED
 */
export async function signedInUser(deps: Pick<CoreDeps, "db" | "now">, request: IncomingMessage, settings: TUpgradeSettings): Promise<TUserActor> {
  const cookie = cookieValue(request.headers.cookie, sessionCookieName(settings.portalUrl));
  const claims = sessionCookieClaims(cookie ? await decodeCookie(cookie, settings.sessionSecret) : null);
  if (!claims) throw new CarveError("UNAUTHENTICATED", "Sign in to the Carve portal first, then open the console from the VM's page.");
  return validateSession(deps, { sessionToken: claims.sessionToken, via: "portal" });
}

/** The browser's address: the TCP peer, or X-Forwarded-For's right-most untrusted hop behind a trusted proxy. */
export function upgradeClientAddress(request: IncomingMessage, settings: TUpgradeSettings): string | undefined {
  const forwarded = request.headers["x-forwarded-for"];
  return clientAddress(request.socket.remoteAddress, Array.isArray(forwarded) ? forwarded.join(",") : forwarded, settings.trustedProxies);
}
