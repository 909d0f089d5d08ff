import type { IncomingMessage, ServerResponse } from "node:http";
import { clientAddress, requestId, type TOrigin, type TTrustedProxies, type TUserActor } from "@carve/core";

// The one place that decides where a portal request came from (sign-in throttle, REST, server
// actions, audit). Route handlers cannot see the TCP peer (NextRequest.ip is gone in Next 16), so
// the portal's own HTTP server (src/serve.ts) resolves the address and request id from the socket
// before Next sees the request and hands them on in internal headers it always overwrites.

/** Internal request headers set by serve.ts only; a client's own values are dropped. */
const CLIENT_ADDR_HEADER = "x-carve-client-addr";
const REQUEST_ID_HEADER = "x-carve-request-id";
/** Set by serve.ts: without it (a bare `next start`) the internal headers could be the client's, so they are ignored. */
const STAMPED = Symbol.for("carve.portal.request-origin-stamped");

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(",") : value);

/**
 * Called by serve.ts for every request before Next handles it: replaces the internal headers with
 * this request's client address and id (whatever the client sent under those names), and answers
 * the id as `x-request-id`.
 */
export function stampRequest(request: IncomingMessage, response: ServerResponse, trusted: TTrustedProxies): void {
  (globalThis as Record<symbol, unknown>)[STAMPED] = true;
  const peer = request.socket.remoteAddress;
  const address = clientAddress(peer, single(request.headers["x-forwarded-for"]), trusted);
  const id = requestId(peer, single(request.headers["x-request-id"]), trusted);
  delete request.headers[CLIENT_ADDR_HEADER];
  if (address) request.headers[CLIENT_ADDR_HEADER] = address;
  request.headers[REQUEST_ID_HEADER] = id;
  response.setHeader("x-request-id", id);
}

/** Reads a header from a Fetch `Headers` or from Node's / next-auth's plain header object. */
type THeaderSource = Pick<Headers, "get"> | Record<string, string | string[] | undefined>;
function header(headers: THeaderSource | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const value = typeof headers.get === "function" ? (headers as Pick<Headers, "get">).get(name) : (headers as Record<string, string | string[] | undefined>)[name];
  return typeof value === "string" ? value : undefined;
}

/** Where this request came from (client address and request id), as serve.ts resolved it. */
export function requestOrigin(headers: THeaderSource | undefined): TOrigin {
  if ((globalThis as Record<symbol, unknown>)[STAMPED] !== true) return {};
  return { clientAddr: header(headers, CLIENT_ADDR_HEADER), requestId: header(headers, REQUEST_ID_HEADER) };
}

/** The actor with the request's origin, so the audit rows it writes carry the address and request id. */
export function withOrigin(actor: TUserActor, headers: THeaderSource | undefined): TUserActor {
  return { ...actor, origin: { ...actor.origin, ...requestOrigin(headers) } };
}
