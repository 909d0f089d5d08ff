import { env } from "../env.ts";

/**
 * The one Origin rule of the portal, for the REST API (cookie calls) and for pages and their
 * server actions (proxy.ts): a state-changing request that rides on the session cookie must say it
 * comes from the portal's own origin (NEXTAUTH_URL's). A missing Origin is refused as well: every
 * browser sends it on a POST, so only a forged or non-browser request lacks it.
 */
export function fromPortalOrigin(request: Request): boolean {
  return request.headers.get("origin") === new URL(env().NEXTAUTH_URL).origin;
}

/** Requests that change nothing, so need no Origin check. */
export function isSafeMethod(method: string): boolean {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

/** HSTS for a portal served over https (browsers ignore it on http, and it would pin a dev setup). */
export function strictTransportSecurity(): string | null {
  return env().NEXTAUTH_URL.startsWith("https://") ? "max-age=63072000; includeSubDomains" : null;
}
