import { z } from "zod";
import type { TFieldError } from "../errors/index.ts";
import { formatIpv4, parseIpv4 } from "../networks/ipv4.ts";

export const ZSecurityGroupRef = z.string({ error: "is required: a security group name or id" }).min(1, "is required: a security group name or id").max(200);

export const ZRuleProtocol = z.enum(["tcp", "udp", "icmp", "all"], { error: "must be tcp, udp, icmp or all" });
export type TRuleProtocol = z.infer<typeof ZRuleProtocol>;

export const ZPort = z
  .number({ error: "must be a port number between 1 and 65535" })
  .int("must be a whole port number between 1 and 65535")
  .min(1, "must be between 1 and 65535 (0 is not a port)")
  .max(65535, "must be between 1 and 65535");

/** The source keyword for the company network (the admin's `network.companyCidrs` setting). */
export const COMPANY_SOURCE = "company";

/** A rule's source as typed: a CIDR or address, a security group (name or id), or "company" (the default). */
export const ZRuleSource = z.string().min(1, "must be a CIDR (10.1.0.0/16), an address, a security group or 'company'").max(200).default(COMPANY_SOURCE);

/** A source CIDR normalised (/0 to /32; a bare address is /32), or why not, ending with the fix. */
export function parseSourceCidr(text: string): { cidr: string } | { error: string } {
  const [address = "", prefixText, ...rest] = text.split("/");
  const base = parseIpv4(address);
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (base === null || rest.length > 0 || !(prefix >= 0 && prefix <= 32)) return { error: "must be an IPv4 network in CIDR notation, e.g. 10.1.0.0/16 (or one address, e.g. 10.1.2.3)" };
  const size = 2 ** (32 - prefix);
  const first = base - (base % size);
  if (first !== base) return { error: `has host bits set: the network is ${formatIpv4(first)}/${prefix}` };
  return { cidr: `${formatIpv4(first)}/${prefix}` };
}

/** Whether a typed source looks like an address or CIDR (otherwise it names a group or the company). */
export function looksLikeCidr(source: string): boolean {
  return /^[0-9.]+(\/.*)?$/.test(source);
}

/**
 * The port range a rule of this protocol gets, or every field at fault with its fix: tcp and udp
 * need a port (portTo defaults to portFrom, and may not be below it); icmp and all take none.
 */
export function rulePorts(protocol: TRuleProtocol, portFrom: number | undefined, portTo: number | undefined): { portFrom: number | null; portTo: number | null } | TFieldError[] {
  if (protocol === "icmp" || protocol === "all") {
    const extra = [
      ...(portFrom === undefined ? [] : [{ field: "portFrom", message: `is only for tcp and udp rules: remove it (an ${protocol} rule covers every port)` }]),
      ...(portTo === undefined ? [] : [{ field: "portTo", message: `is only for tcp and udp rules: remove it (an ${protocol} rule covers every port)` }]),
    ];
    return extra.length > 0 ? extra : { portFrom: null, portTo: null };
  }
  if (portFrom === undefined) return [{ field: "portFrom", message: `is required for a ${protocol} rule: the port to open, e.g. 8080 (or the first of a range)` }];
  const last = portTo ?? portFrom;
  if (last < portFrom) return [{ field: "portTo", message: `is below portFrom (${portFrom}): give the range low to high, e.g. ${last}-${portFrom}` }];
  return { portFrom, portTo: last };
}
