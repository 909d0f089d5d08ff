/**
 * Names on the hypervisor derive from database ids, never from user input: a retried job converges
 * on the same domain and volume, and no user string reaches libvirt or a command line.
 */
export const domainName = (vmId: string): string => `carve-${vmId}`;
export const rootVolumeName = (volumeId: string): string => `carve-${volumeId}.qcow2`;
/** A VM's network filter (security groups), on every host its domain is defined on. */
export const vmFilterName = (vmId: string): string => `carve-vm-${vmId}`;
export const dataVolumeName = (volumeId: string): string => `carve-${volumeId}.qcow2`;

/** A VM id parsed back out of a domain name, or null for domains Carve does not own. */
export function vmIdFromDomainName(name: string): string | null {
  const match = /^carve-([0-9a-f-]{36})$/.exec(name);
  return match?.[1] ?? null;
}

/** The VM id in a Carve-named network filter (carve-vm-<uuid>), or null for other filters. */
export function vmIdFromFilterName(name: string): string | null {
  const match = /^carve-vm-([0-9a-f-]{36})$/.exec(name);
  return match?.[1] ?? null;
}
