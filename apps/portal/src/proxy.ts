import { NextResponse, type NextRequest } from "next/server";
import { env } from "./env.ts";
import { fromPortalOrigin, isSafeMethod, strictTransportSecurity } from "./server/origin.ts";

/**
 * The Content Security Policy of one response. Scripts run only from this origin or with this
 * request's nonce (Next puts it on its own inline hydration scripts, reading it from the request's
 * CSP header), so an injected inline script never runs. Styles still allow inline `style`
 * attributes (capacity bars set their width), which cannot run code. Pages may open WebSockets to
 * the console proxy only (CARVE_CONSOLE_URL), besides the portal itself.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${env().CARVE_CONSOLE_URL}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * Paths that check their own requests: the REST API (API keys carry no ambient credential; cookie
 * calls get the same Origin rule in apiRoute, after the credentials) and next-auth (its own CSRF
 * token guards sign-in and sign-out).
 */
const OWN_CHECKS = /^\/api\/(v1|auth)(\/|$)/;

/**
 * A state-changing request to a page (a server action, a form post) from anywhere but the portal's
 * own pages: 403 before Next runs the action (Next lets an action without Origin through, and
 * answers a foreign one with 500).
 */
function crossSiteRefusal(request: NextRequest): NextResponse | null {
  if (isSafeMethod(request.method) || OWN_CHECKS.test(request.nextUrl.pathname) || fromPortalOrigin(request)) return null;
  const page =
    "<!doctype html><html lang=en><meta charset=utf-8><title>Forbidden</title><h1>403 Forbidden</h1>" +
    "<p>This request did not come from the Carve portal's own pages (Origin check), so nothing was changed. Open the portal and try again there.</p></html>";
  return new NextResponse(page, { status: 403, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}

/** Every page gets a fresh nonce (pages render per request already: the layout reads the session). */
export function proxy(request: NextRequest): NextResponse {
  const response = crossSiteRefusal(request) ?? withPolicy(request);
  const hsts = strictTransportSecurity();
  if (hsts) response.headers.set("strict-transport-security", hsts);
  return response;
}

function withPolicy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const policy = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Not for built assets: they are files, not documents, and are cached.
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
