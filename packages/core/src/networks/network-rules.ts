import type { Tx } from "@carve/db";
import type { TFieldError } from "../errors/index.ts";
import { invalidInput } from "../validation/invalid-input.ts";
import { formatIpv4, isCidr, overlaps, parseCidr, parseIpv4, usableHosts, type TIpv4Cidr } from "./ipv4.ts";

/** The addressing of a network as an admin gives it (create) or would leave it (update). */
export interface TNetworkShape {
  kind: "Managed" | "Bridge";
  cidr: string;
  gateway: string | null;
  rangeStart: string | null;
  rangeEnd: string | null;
}

/** The shape with its addresses as numbers, once it is valid. */
export interface TCheckedShape {
  cidr: TIpv4Cidr;
  gateway: number | null;
  range: { first: number; last: number } | null;
}

/**
 * Checks a network's addressing and throws INVALID_INPUT naming every field at fault and its fix:
 * the CIDR's syntax, a range inside the CIDR's usable addresses with its start not after its end,
 * and a gateway inside the CIDR but outside the range (Carve would otherwise hand it to a VM). A
 * managed network needs a gateway (its bridge's address on each host) and a range (its DHCP pool).
 */
export function checkNetworkShape(shape: TNetworkShape): TCheckedShape {
  const fields: TFieldError[] = [];
  const parsed = parseCidr(shape.cidr);
  if (!isCidr(parsed)) {
    fields.push({ field: "cidr", message: parsed.error });
    throw invalidInput(fields);
  }
  const usable = usableHosts(parsed);
  const span = `${formatIpv4(usable.first)} and ${formatIpv4(usable.last)}`;
  const address = (field: "gateway" | "rangeStart" | "rangeEnd", text: string | null): number | null => {
    if (text === null) return null;
    const n = parseIpv4(text);
    if (n === null) fields.push({ field, message: "must be an IPv4 address, e.g. 10.0.0.1" });
    else if (n < usable.first || n > usable.last) fields.push({ field, message: `${text} is outside ${parsed.text}: choose an address between ${span}` });
    else return n;
    return null;
  };
  const gateway = address("gateway", shape.gateway);
  const start = address("rangeStart", shape.rangeStart);
  const end = address("rangeEnd", shape.rangeEnd);
  if ((shape.rangeStart === null) !== (shape.rangeEnd === null)) {
    const missing = shape.rangeStart === null ? "rangeStart" : "rangeEnd";
    fields.push({ field: missing, message: "is required with the other end of the range: give both rangeStart and rangeEnd, or neither" });
  }
  if (shape.kind === "Managed") {
    if (shape.gateway === null) fields.push({ field: "gateway", message: `is required for a Managed network (its bridge's address on each host), e.g. ${formatIpv4(usable.first)}` });
    if (shape.rangeStart === null && shape.rangeEnd === null) {
      fields.push({ field: "rangeStart", message: "is required for a Managed network: give rangeStart and rangeEnd, the addresses Carve hands to VMs" });
    }
  }
  if (start !== null && end !== null && start > end) {
    fields.push({ field: "rangeStart", message: `${shape.rangeStart} is after rangeEnd ${shape.rangeEnd}: the range goes from the lower address to the higher one` });
  }
  const range = start !== null && end !== null && start <= end ? { first: start, last: end } : null;
  if (gateway !== null && range && gateway >= range.first && gateway <= range.last) {
    fields.push({
      field: "gateway",
      message: `${shape.gateway} is inside the range ${shape.rangeStart}–${shape.rangeEnd}: Carve would hand it to a VM; choose an address outside the range (e.g. ${formatIpv4(range.first > usable.first ? usable.first : usable.last)})`,
    });
  }
  if (fields.length > 0) throw invalidInput(fields);
  return { cidr: parsed, gateway, range };
}

/** The size of a range, for messages. */
export function rangeSize(range: { first: number; last: number }): number {
  return range.last - range.first + 1;
}

/**
 * Refuses a CIDR that shares addresses with another network (`except`: the one being updated),
 * naming it: two networks handing out the same address would give two VMs one IP.
 */
export async function assertNoOverlap(tx: Tx, cidr: TIpv4Cidr, except: string | null): Promise<void> {
  const others = await tx.network.findMany({ where: except ? { id: { not: except } } : {}, select: { name: true, cidr: true }, orderBy: { name: "asc" } });
  const clashing = others.filter((other) => {
    const theirs = parseCidr(other.cidr);
    return isCidr(theirs) && overlaps(theirs, cidr);
  });
  if (clashing.length > 0) {
    const names = clashing.map((o) => `${o.name} (${o.cidr})`).join(", ");
    throw invalidInput([{ field: "cidr", message: `${cidr.text} overlaps network ${names}: choose a CIDR that shares no address with it` }]);
  }
}

/**
 * Serialises changes to networks (create, update, delete): the overlap check and "at most one
 * default" read other networks' rows, so two racing changes must not both pass them. Networks change
 * rarely; a transaction-scoped advisory lock is simpler than a partial unique index Prisma's schema
 * cannot express.
 */
export async function lockNetworkChanges(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(72707371)`;
}
