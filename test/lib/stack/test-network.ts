import { createNetwork, type TActor } from "@carve/core";
import type { Stack } from "./stack.ts";

/** The addressing of the network addTestNetwork makes: VMs get 10.77.0.10 onwards. */
export const TEST_NETWORK = { name: "dev-lan", cidr: "10.77.0.0/24", gateway: "10.77.0.1", rangeStart: "10.77.0.10", rangeEnd: "10.77.0.200" } as const;

/**
 * Registers the Managed network `dev-lan` on `hosts` as the default network, so each VM created
 * afterwards gets a NIC with an address Carve allocates (and, with `dnsDomain`, a DNS name).
 */
export async function addTestNetwork(stack: Stack, admin: TActor, options: { hosts: string[]; dnsDomain?: string }) {
  return createNetwork(stack.core, admin, { ...TEST_NETWORK, kind: "Managed", hosts: options.hosts, isDefault: true, ...(options.dnsDomain ? { dnsDomain: options.dnsDomain } : {}) });
}
