import type { NetworkHostState, Prisma } from "@carve/db";
import { isCidr, parseCidr, parseIpv4 } from "./ipv4.ts";

/** What every front door shows of a network; one selection so they agree. */
export const NETWORK_SELECT = {
  id: true,
  name: true,
  description: true,
  kind: true,
  mode: true,
  cidr: true,
  gateway: true,
  rangeStart: true,
  rangeEnd: true,
  dnsDomain: true,
  libvirtName: true,
  bridge: true,
  isDefault: true,
  createdAt: true,
  updatedAt: true,
  hosts: { select: { state: true, stateReason: true, host: { select: { id: true, name: true } } }, orderBy: { host: { name: "asc" } } },
  _count: { select: { nics: true } },
} satisfies Prisma.NetworkSelect;

type TNetworkRow = Prisma.NetworkGetPayload<{ select: typeof NETWORK_SELECT }>;

/** A host that has the network, and how its agent last found the network there. */
export type TNetworkHostView = { id: string; name: string; state: NetworkHostState; stateReason: string | null };

export type TNetworkView = Omit<TNetworkRow, "hosts" | "_count"> & {
  hosts: TNetworkHostView[];
  /** How many addresses Carve may allocate (0: none, the network has no range). */
  rangeSize: number;
  /** NICs of VMs on it (VMs not yet destroyed). */
  nics: number;
  /** Addresses of the range no VM holds (null: no range; every NIC on a network with a range holds one of it). */
  freeAddresses: number | null;
};

export function toNetworkView({ hosts, _count, ...row }: TNetworkRow): TNetworkView {
  const start = row.rangeStart ? parseIpv4(row.rangeStart) : null;
  const end = row.rangeEnd ? parseIpv4(row.rangeEnd) : null;
  const rangeSize = start !== null && end !== null ? end - start + 1 : 0;
  return {
    ...row,
    hosts: hosts.map((h) => ({ ...h.host, state: h.state, stateReason: h.stateReason })),
    rangeSize,
    nics: _count.nics,
    freeAddresses: rangeSize > 0 ? Math.max(rangeSize - _count.nics, 0) : null,
  };
}

/** "dev-lan (10.0.0.0/24, range 10.0.0.10–10.0.0.159, 150 addresses)": how messages name a network. */
export function describeNetwork(n: { name: string; cidr: string; rangeStart: string | null; rangeEnd: string | null }): string {
  const cidr = parseCidr(n.cidr);
  const start = n.rangeStart ? parseIpv4(n.rangeStart) : null;
  const end = n.rangeEnd ? parseIpv4(n.rangeEnd) : null;
  const range = start !== null && end !== null ? `, range ${n.rangeStart}–${n.rangeEnd}, ${end - start + 1} addresses` : ", no range";
  return `${n.name} (${isCidr(cidr) ? cidr.text : n.cidr}${range})`;
}
