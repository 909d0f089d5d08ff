import type { Tx } from "@carve/db";
import type { TNicSpec } from "@carve/protocol";
import { CarveError } from "../../errors/index.ts";
import { formatIpv4, isCidr, parseCidr, parseIpv4 } from "../ipv4.ts";
import { describeNetwork } from "../network-view.ts";
import { randomMac } from "./mac.ts";

/** A network as address management reads it, under its row lock. */
export interface TIpamNetwork {
  id: string;
  name: string;
  kind: "Managed" | "Bridge";
  cidr: string;
  gateway: string | null;
  rangeStart: string | null;
  rangeEnd: string | null;
  dnsDomain: string | null;
  libvirtName: string | null;
  bridge: string | null;
}

/** A NIC allocated for a VM not written yet: its row (written by insertNics) and the agent's spec. */
export interface TAllocatedNic {
  networkId: string;
  deviceIndex: number;
  mac: string;
  ip: string | null;
  spec: TNicSpec;
}

/** The agent's view of a NIC of VM `vmName` on `network` (vm.create, and vm.define when the VM moves). */
export function nicSpec(network: Omit<TIpamNetwork, "id" | "rangeStart" | "rangeEnd">, nic: { mac: string; ip: string | null }, vmName: string): TNicSpec {
  const cidr = parseCidr(network.cidr);
  return {
    network: network.kind === "Managed" ? { kind: "managed", name: network.libvirtName ?? network.name } : { kind: "bridge", name: network.bridge ?? network.name },
    mac: nic.mac,
    ip: nic.ip,
    prefix: isCidr(cidr) ? cidr.prefix : 24,
    gateway: network.gateway,
    hostname: network.dnsDomain ? `${vmName}.${network.dnsDomain}` : null,
  };
}

type TBook = { network: TIpamNetwork; range: { first: number; last: number } | null; used: Set<number>; lowest: number };

/**
 * Address management inside ONE create transaction. The first time a network is used it is locked
 * (SELECT … FOR UPDATE, held to the commit) and the addresses its NICs hold are read; from then on
 * this book hands out the lowest free address of the range and counts it, so the creates of a batch
 * get distinct addresses without asking the database again, and creates in other transactions wait
 * for the lock and then see them. The unique index (networkId, ip) stays the last line of defence.
 *
 * After a ROLLBACK TO SAVEPOINT the caller must `clear()` the book: the rollback undid NICs it
 * counted and released locks taken after the savepoint.
 */
export class AddressBook {
  private readonly books = new Map<string, TBook>();
  private readonly macs = new Set<string>();

  constructor(
    private readonly tx: Tx,
    private readonly nextMac: () => string = () => randomMac(),
  ) {}

  /** Locks networks in id order (so two batches never wait on each other in a circle) and reads them. */
  async lock(networkIds: Iterable<string>): Promise<void> {
    for (const id of [...new Set(networkIds)].sort()) await this.book(id);
  }

  /**
   * A NIC on the network for VM `vmName`: a MAC not used in this transaction and, on a network with
   * a range, its lowest free address (or `wanted`, refused when another NIC holds it). NETWORK_FULL (naming the network, its size and how many
   * addresses VMs use, and the fix) when the range has none left; nothing is counted then.
   */
  async allocate(networkId: string, vmName: string, deviceIndex = 0, wanted?: string): Promise<TAllocatedNic> {
    const book = await this.book(networkId);
    const { network } = book;
    let ip: number | null = null;
    const asked = wanted === undefined ? null : parseIpv4(wanted);
    if (book.range && asked !== null) {
      // A VM re-created with its old address (its host was declared dead): that one, or a refusal.
      if (asked < book.range.first || asked > book.range.last || book.used.has(asked)) {
        throw new CarveError("INVALID_STATE", `Address ${wanted} on network ${network.name} is ${book.used.has(asked) ? "held by another VM now" : "outside the network's range now"}, so ${vmName} cannot get it back. Destroy it and create a new VM instead.`);
      }
      ip = asked;
      book.used.add(ip);
    } else if (book.range) {
      let candidate = Math.max(book.lowest, book.range.first);
      while (candidate <= book.range.last && book.used.has(candidate)) candidate += 1;
      if (candidate > book.range.last) throw networkFull(network, book.used.size);
      ip = candidate;
      book.used.add(ip);
      book.lowest = ip + 1;
    }
    let mac = this.nextMac();
    while (this.macs.has(mac)) mac = this.nextMac();
    this.macs.add(mac);
    const address = ip === null ? null : formatIpv4(ip);
    return { networkId, deviceIndex, mac, ip: address, spec: nicSpec(network, { mac, ip: address }, vmName) };
  }

  /** Gives back a NIC whose VM was not written (its host filled up, its name was taken). */
  release(nic: TAllocatedNic): void {
    this.macs.delete(nic.mac);
    const book = this.books.get(nic.networkId);
    const ip = nic.ip === null ? null : parseIpv4(nic.ip);
    if (!book || ip === null || !book.used.delete(ip)) return;
    book.lowest = Math.min(book.lowest, ip);
  }

  /** Forget what was read: the next allocation locks and reads again (after a rollback to a savepoint). */
  clear(): void {
    this.books.clear();
    this.macs.clear();
  }

  private async book(networkId: string): Promise<TBook> {
    const known = this.books.get(networkId);
    if (known) return known;
    const [network] = await this.tx.$queryRaw<TIpamNetwork[]>`
      SELECT id::text, name, kind::text, cidr, gateway, "rangeStart", "rangeEnd", "dnsDomain", "libvirtName", bridge
        FROM "Network" WHERE id = ${networkId}::uuid FOR UPDATE`;
    if (!network) {
      throw new CarveError("NETWORK_NOT_FOUND", "The VM's network was deleted while the VM was being created. Try again: the offering or the default network decides the new one.");
    }
    const start = network.rangeStart ? parseIpv4(network.rangeStart) : null;
    const end = network.rangeEnd ? parseIpv4(network.rangeEnd) : null;
    const range = start !== null && end !== null ? { first: start, last: end } : null;
    const used = new Set<number>();
    if (range) {
      // Only addresses inside the range count: the range is what Carve hands out.
      const rows = await this.tx.$queryRaw<{ n: bigint }[]>`
        SELECT (ip::inet - '0.0.0.0'::inet) AS n FROM "Nic" WHERE "networkId" = ${networkId}::uuid AND ip IS NOT NULL`;
      for (const { n } of rows) {
        const value = Number(n);
        if (value >= range.first && value <= range.last) used.add(value);
      }
    }
    const book: TBook = { network, range, used, lowest: range?.first ?? 0 };
    this.books.set(networkId, book);
    return book;
  }
}

/** NETWORK_FULL: the network, its size, how many addresses VMs use, and what to do. */
export function networkFull(network: TIpamNetwork, inUse: number): CarveError {
  return new CarveError(
    "NETWORK_FULL",
    `Network ${describeNetwork(network)} is full: ${inUse} VM${inUse === 1 ? "" : "s"} use${inUse === 1 ? "s" : ""} it. ` +
      `Destroy VMs on it or widen its range (carve network update ${network.name} --range …).`,
    { details: { network: network.name, cidr: network.cidr, rangeStart: network.rangeStart, rangeEnd: network.rangeEnd, inUse } },
  );
}
