import { z } from "zod";
import { ZLibvirtName } from "./common.ts";

// networks (issue 17): what a host's managed networks and filters hold, for the drift list
/** A MAC as libvirt writes it (lowercase); any vendor prefix, as drift may be anyone's. */
const ZAnyMac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, "must be a lowercase MAC address");
export const ZInventoryNetwork = z.object({
  /** The libvirt network's name. */
  name: z.string(),
  dhcpHosts: z.array(z.object({ mac: z.string(), ip: z.string(), name: z.string().nullable() })),
  dnsHosts: z.array(z.object({ ip: z.string(), hostnames: z.array(z.string()) })),
});
export type TInventoryNetwork = z.infer<typeof ZInventoryNetwork>;
/**
 * Removes one thing the drift list shows on this host: a DHCP host entry (exactly that MAC and
 * address) or a DNS record of a managed network, or a Carve-named network filter no domain uses.
 * Idempotent: already gone is fine (`removed: false`).
 */
export const ZDriftRemovePayload = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("dhcp-host"), network: ZLibvirtName, mac: ZAnyMac, ip: z.ipv4() }),
  z.object({ kind: z.literal("dns-host"), network: ZLibvirtName, ip: z.ipv4() }),
  z.object({ kind: z.literal("filter"), name: ZLibvirtName.regex(/^carve-vm-/, "must be a Carve-named filter (carve-vm-…)") }),
  // storage under Carve (issue 19): a Carve-named file no volume owns (a disk a move left in its source pool), by its name.
  z.object({ kind: z.literal("volume"), pool: ZLibvirtName, name: ZLibvirtName.regex(/^carve-[0-9a-f-]{36}\.qcow2$/, "must be a Carve-named volume (carve-ID.qcow2)") }),
]);
export const ZDriftRemoveResult = z.object({ removed: z.boolean() });

export const ZInventoryResult = z.object({
  hostname: z.string(),
  cpus: z.number().int(),
  memoryMiB: z.number().int(),
  domains: z.array(z.object({ name: z.string(), uuid: z.string(), state: z.enum(["running", "stopped", "paused", "other"]) })),
  pools: z.array(
    z.object({
      name: z.string(),
      capacityBytes: z.number(),
      allocationBytes: z.number(),
      availableBytes: z.number(),
      volumes: z.array(z.string()),
      // storage under Carve (issue 19): absent from older agents (copies are then judged by presence only)
      /** Each volume's capacity in bytes, by name (a qcow2's virtual size, a raw file's size). */
      sizes: z.record(z.string(), z.number().int().min(0)).optional(),
    }),
  ),
  // networks (issue 17): absent from agents that predate them (drift of these kinds is then left as it was)
  /** Every libvirt network on the host with its DHCP host entries and DNS records. */
  networks: z.array(ZInventoryNetwork).optional(),
  /** The Carve-named network filters (carve-vm-<vm id>) defined on the host. */
  filters: z.array(z.string()).optional(),
  /** The addresses the host sees on running Carve domains' bridge NICs (ARP or guest agent): learned, not allocated. */
  addresses: z.array(z.object({ domain: z.string(), mac: z.string(), ip: z.ipv4() })).optional(),
});
