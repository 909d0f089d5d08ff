import { NextResponse, type NextRequest } from "next/server";

/**
 * The Content Security Policy of one response. Scripts run only from this origin or with this
 * request's nonce (Next puts it on its own inline hydration scripts, reading it from the request's
 * CSP header), so an injected inline script never runs. Styles still allow inline `style`
 * attributes (capacity bars set their width), which cannot run code.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/** Every page gets a fresh nonce (pages render per request already: the layout reads the session). */
export function proxy(request: NextRequest): NextResponse {
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
