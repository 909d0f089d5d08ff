import { randomUUID } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { z } from "zod";

// Where a request came from, for every front door that faces browsers behind reverse proxies (the
// portal and the console proxy): the TCP peer, or X-Forwarded-For only from trusted proxies.

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

/** CARVE_TRUSTED_PROXIES as every front door's env.ts reads it: empty means the TCP peer is always the client. */
export const ZTrustedProxiesSetting = z
  .string()
  .default("")
  .transform((text, context) => {
    try {
      return parseTrustedProxies(text);
    } catch (error) {
      context.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  });
