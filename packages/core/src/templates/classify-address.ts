import { BlockList, isIP } from "node:net";

/**
 * What kind of address an image download would connect to. Only `public` is allowed by default;
 * `loopback` and `private` are allowed when an admin sets `templates.allowPrivateAddresses`; the
 * rest never are: link-local holds cloud metadata endpoints (CVE-2024-29007 went there), and the
 * others are not addresses a download server can have or smuggle another address inside them.
 */
export type TAddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "unspecified"
  | "multicast"
  | "ipv4-mapped"
  | "reserved";

/** Classes `templates.allowPrivateAddresses` lets through. */
export const PRIVATE_CLASSES: ReadonlySet<TAddressClass> = new Set(["loopback", "private"]);

type TRange = [TAddressClass, string, number, "ipv4" | "ipv6"];

/** Ranges by class; the first match wins, anything else is public. */
const RANGES: readonly TRange[] = [
  ["unspecified", "0.0.0.0", 8, "ipv4"],
  ["loopback", "127.0.0.0", 8, "ipv4"],
  ["private", "10.0.0.0", 8, "ipv4"],
  ["private", "172.16.0.0", 12, "ipv4"],
  ["private", "192.168.0.0", 16, "ipv4"],
  ["private", "100.64.0.0", 10, "ipv4"], // carrier-grade NAT
  ["link-local", "169.254.0.0", 16, "ipv4"],
  ["reserved", "192.0.0.0", 24, "ipv4"], // IETF protocol assignments
  ["reserved", "198.18.0.0", 15, "ipv4"], // benchmarking
  ["multicast", "224.0.0.0", 4, "ipv4"],
  ["reserved", "240.0.0.0", 4, "ipv4"], // reserved and broadcast
  ["unspecified", "::", 128, "ipv6"],
  ["loopback", "::1", 128, "ipv6"],
  ["ipv4-mapped", "::ffff:0:0", 96, "ipv6"],
  ["reserved", "64:ff9b::", 96, "ipv6"], // NAT64: reaches IPv4 addresses through a gateway
  ["reserved", "2002::", 16, "ipv6"], // 6to4: embeds an IPv4 address
  ["private", "fc00::", 7, "ipv6"], // unique local
  ["link-local", "fe80::", 10, "ipv6"],
  ["multicast", "ff00::", 8, "ipv6"],
];

/**
 * One BlockList per range, checked only against addresses of its own family: node matches IPv4
 * addresses against IPv4-mapped IPv6 rules, which would make every IPv4 address "ipv4-mapped".
 */
const LISTS: readonly [TAddressClass, "ipv4" | "ipv6", BlockList][] = RANGES.map(([kind, network, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return [kind, family, list];
});

/** The class of an IP literal (v4 or v6). @throws when `address` is not an IP address. */
export function classifyAddress(address: string): TAddressClass {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const [kind, family, list] of LISTS) {
    if (family === type && list.check(address, type)) return kind;
  }
  return "public";
}

/** True when downloads may connect to an address of this class. */
export function isAllowedClass(kind: TAddressClass, allowPrivate: boolean): boolean {
  return kind === "public" || (allowPrivate && PRIVATE_CLASSES.has(kind));
}

/** Resolves a host name to its addresses (DNS in production, a stub in tests). */
export type TResolver = (hostname: string) => Promise<string[]>;

/** Why an address check refused a host. */
export interface TAddressRefusal {
  address: string;
  kind: TAddressClass;
}

/**
 * Resolves `hostname` (an IP literal resolves to itself) and checks every address it has: one bad
 * address refuses the host, so a name cannot mix an internal address among public ones. Returns
 * the address to connect to, so the connection goes exactly where the check looked.
 */
export async function checkHostAddresses(
  hostname: string,
  resolver: TResolver,
  allowPrivate: boolean,
): Promise<{ ok: true; address: string } | { ok: false; refusal: TAddressRefusal | null }> {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  const addresses = isIP(bare) !== 0 ? [bare] : await resolver(bare);
  const [first] = addresses;
  if (first === undefined) return { ok: false, refusal: null };
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (!isAllowedClass(kind, allowPrivate)) return { ok: false, refusal: { address, kind } };
  }
  return { ok: true, address: first };
}
