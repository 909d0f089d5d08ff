import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BlockList, isIP } from "node:net";
import type { TOrigin, TUserActor } from "@carve/core";

// The one place that decides where a portal request came from (sign-in throttle, REST, server
// actions, audit). Route handlers cannot see the TCP peer (NextRequest.ip is gone in Next 16), so
// the portal's own HTTP server (src/serve.ts) resolves the address and request id from the socket
// before Next sees the request and hands them on in internal headers it always overwrites.

/** Internal request headers set by serve.ts only; a client's own values are dropped. */
const CLIENT_ADDR_HEADER = "x-carve-client-addr";
const REQUEST_ID_HEADER = "x-carve-request-id";
/** Set by serve.ts: without it (a bare `next start`) the internal headers could be the client's, so they are ignored. */
const STAMPED = Symbol.for("carve.portal.request-origin-stamped");

/** A request id a trusted proxy may hand on: short and plain (it is written to logs and audit rows). */
const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** The addresses of proxies whose X-Forwarded-For and X-Request-Id are believed (CARVE_TRUSTED_PROXIES). */
export interface TTrustedProxies {
  readonly list: BlockList;
  readonly text: string;
}

/** An IPv4 address as a dual-stack socket reports it (`::ffff:10.0.0.1`) is that IPv4 address. */
function plainAddress(address: string): string {
  return address.toLowerCase().startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Parses a comma-separated list of addresses and CIDRs ("127.0.0.1, 10.0.0.0/8, fd00::/8"); the
 * error names the entry that is neither.
 */
export function parseTrustedProxies(text: string): TTrustedProxies {
  const list = new BlockList();
  for (const entry of text.split(",").map((e) => e.trim()).filter((e) => e !== "")) {
    const [address = "", bits, extra] = entry.split("/");
    const family = isIP(address);
    const prefix = bits === undefined ? null : Number(bits);
    if (family === 0 || extra !== undefined || (prefix !== null && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128)) || bits === "")) {
      throw new Error(`'${entry.slice(0, 60)}' is not an IP address or CIDR (e.g. 127.0.0.1, 10.0.0.0/8, fd00::/8)`);
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === null) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return { list, text };
}

function isTrusted(trusted: TTrustedProxies, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.list.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy; then the
 * right-most X-Forwarded-For hop that is not a trusted proxy (hops left of it were written by the
 * client and prove nothing). A hop that is not an address ends the walk at the proxy that wrote it.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: TTrustedProxies): string | undefined {
  if (!peer) return undefined;
  let address = plainAddress(peer);
  if (!forwardedFor) return address;
  const hops = forwardedFor.split(",").map((hop) => plainAddress(hop.trim()));
  while (isTrusted(trusted, address)) {
    const hop = hops.pop();
    if (hop === undefined || isIP(hop) === 0) break;
    address = hop;
  }
  return address;
}

/** This request's id: a trusted proxy's X-Request-Id when it sent a plain one, else a new UUID. */
export function requestId(peer: string | undefined, given: string | undefined, trusted: TTrustedProxies): string {
  return peer && given && isTrusted(trusted, plainAddress(peer)) && REQUEST_ID.test(given) ? given : randomUUID();
}

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
