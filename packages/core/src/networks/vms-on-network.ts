import type { Db, Tx } from "@carve/db";

/** A VM with a NIC on a network, as refusals and the network's page name it. */
export interface TVmOnNetwork {
  vmId: string;
  name: string;
  owner: string;
  state: string;
  hostId: string | null;
  host: string | null;
  mac: string;
  ip: string | null;
}

/** The VMs with a NIC on the network (destroyed VMs' NICs are gone), by name. */
export async function vmsOnNetwork(db: Db | Tx, networkId: string): Promise<TVmOnNetwork[]> {
  const nics = await db.nic.findMany({
    where: { networkId },
    select: { mac: true, ip: true, vm: { select: { id: true, name: true, state: true, owner: { select: { username: true } }, host: { select: { id: true, name: true } } } } },
    orderBy: [{ vm: { name: "asc" } }, { deviceIndex: "asc" }],
  });
  return nics.map(({ mac, ip, vm }) => ({ vmId: vm.id, name: vm.name, owner: vm.owner.username, state: vm.state, hostId: vm.host?.id ?? null, host: vm.host?.name ?? null, mac, ip }));
}

/** "web-1 (alice, 10.0.0.12)": a VM as a refusal names it. */
export function vmLabel(vm: TVmOnNetwork): string {
  return `${vm.name} (${vm.owner}${vm.ip ? `, ${vm.ip}` : ""})`;
}
