/**
 * IPv4 arithmetic for address management: addresses as unsigned 32-bit numbers, so ranges,
 * overlaps and "the lowest free address" are plain comparisons.
 */

/** An IPv4 network: its first address, its prefix length, its size (first..last inclusive). */
export interface TIpv4Cidr {
  text: string;
  first: number;
  last: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The address as a number, or null when it is not a dotted-quad IPv4 address (no leading zeros). */
export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Prefixes Carve accepts: a /8 at most (16 M addresses), a /30 at least (2 usable ones). */
export const MIN_PREFIX = 8;
export const MAX_PREFIX = 30;

/** The CIDR, or why not (a sentence that ends with the fix). */
export function parseCidr(text: string): TIpv4Cidr | { error: string } {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  const base = match?.[1] ? parseIpv4(match[1]) : null;
  const prefix = Number(match?.[2]);
  if (!match || base === null || !Number.isInteger(prefix) || prefix > 32) {
    return { error: "must be an IPv4 network in CIDR notation, e.g. 10.0.0.0/24" };
  }
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) return { error: `has a /${prefix} prefix: use a prefix between /${MIN_PREFIX} and /${MAX_PREFIX}, e.g. 10.0.0.0/24` };
  const size = 2 ** (32 - prefix);
  const first = base - (base % size);
  if (first !== base) return { error: `has host bits set: the network is ${formatIpv4(first)}/${prefix}` };
  return { text: `${formatIpv4(first)}/${prefix}`, first, last: first + size - 1, prefix };
}

export function isCidr(value: TIpv4Cidr | { error: string }): value is TIpv4Cidr {
  return !("error" in value);
}

/** Whether two networks share an address. */
export function overlaps(a: Pick<TIpv4Cidr, "first" | "last">, b: Pick<TIpv4Cidr, "first" | "last">): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** The addresses a guest may have: not the network's own address nor its broadcast address. */
export function usableHosts(cidr: TIpv4Cidr): { first: number; last: number } {
  return { first: cidr.first + 1, last: cidr.last - 1 };
}
