/** A VM's NIC as the connect line needs it. */
interface TAddressLike {
  ip: string | null;
  hostname: string | null;
}

/** The way into a VM: `ssh <user>@<host>`, shown alike by the CLI, the portal, Slack and the API. */
export interface TVmConnect {
  /** The template's login user. */
  user: string;
  /** The DNS name when the NIC's network has a DNS domain, else its IP address. */
  host: string;
  /** e.g. `ssh root@web-1.dev.example.com`. */
  command: string;
}

/**
 * The connect line of a VM from its NICs (in device order) and its template's login user: through
 * the first NIC that has an address; null while none has (a name in DNS is no use before the
 * network's DHCP/DNS knows the address behind it).
 */
export function connectLine(addresses: readonly TAddressLike[], loginUser: string): TVmConnect | null {
  const nic = addresses.find((a) => a.ip !== null);
  if (!nic?.ip) return null;
  const host = nic.hostname ?? nic.ip;
  return { user: loginUser, host, command: `ssh ${loginUser}@${host}` };
}
