import type { Prisma } from "@carve/db";
import { connectLine, type TVmConnect } from "./connect-line.ts";

/** What every front door shows of a VM; one selection so they all agree (see toVmView). */
export const VM_VIEW_SELECT = {
  id: true,
  name: true,
  description: true,
  state: true,
  stateReason: true,
  vcpus: true,
  memoryMiB: true,
  ipAddress: true,
  activeJobId: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { id: true, username: true } },
  host: { select: { id: true, name: true } },
  template: { select: { id: true, name: true, loginUser: true } },
  offering: { select: { id: true, name: true } },
  volumes: {
    where: { state: { not: "Deleted" } },
    select: { id: true, name: true, kind: true, sizeGiB: true, state: true, pool: { select: { id: true, name: true } } },
  },
  nics: { select: { mac: true, ip: true, network: { select: { name: true, dnsDomain: true } } }, orderBy: { deviceIndex: "asc" } },
} satisfies Prisma.VmSelect;

type TVmRow = Prisma.VmGetPayload<{ select: typeof VM_VIEW_SELECT }>;

/** One of a VM's NICs as front doors show it: `hostname` is <vm>.<domain> when its network has a DNS domain. */
export interface TVmAddress {
  network: string;
  mac: string;
  ip: string | null;
  hostname: string | null;
}

/**
 * `ipAddress` is the first NIC's address (null without one), kept for the front doors that show one
 * address; `connect` is the way in (connect-line.ts), null while the VM has no address.
 */
export type TVmView = Omit<TVmRow, "nics" | "template"> & { template: { id: string; name: string }; addresses: TVmAddress[]; connect: TVmConnect | null };

export function toVmView({ nics, template, ...vm }: TVmRow): TVmView {
  const addresses = nics.map((nic) => ({ network: nic.network.name, mac: nic.mac, ip: nic.ip, hostname: nic.network.dnsDomain ? `${vm.name}.${nic.network.dnsDomain}` : null }));
  return { ...vm, template: { id: template.id, name: template.name }, addresses, connect: connectLine(addresses, template.loginUser) };
}
