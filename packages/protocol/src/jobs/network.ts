import { z } from "zod";
import { ZId, ZLibvirtName } from "./common.ts";

/** A MAC Carve allocated: QEMU's locally administered prefix 52:54:00, lowercase. */
export const ZMacAddress = z.string().regex(/^52:54:00(:[0-9a-f]{2}){3}$/, "must be a MAC address 52:54:00:xx:xx:xx (lowercase hex)");

/**
 * A guest NIC as core allocated it (core/networks/ipam): the libvirt network or Linux bridge it
 * plugs into, its MAC, and on networks with a range the address reserved for it (with the prefix,
 * gateway and DNS name the guest or the network's DHCP/DNS need). Optional in vm.create: an agent
 * that does not know it yet keeps attaching its configured network (wave 2, issue 17).
 */
export const ZNicSpec = z.object({
  network: z.object({ kind: z.enum(["managed", "bridge"]), name: ZLibvirtName }),
  mac: ZMacAddress,
  ip: z.ipv4().nullable(),
  prefix: z.number().int().min(8).max(30),
  gateway: z.ipv4().nullable(),
  /** <vm>.<domain> when the network has a DNS domain. */
  hostname: z.string().max(253).regex(/^[a-z0-9.-]+$/).nullable(),
  /** The libvirt nwfilter applied to the NIC (security groups): `<filterref filter=NAME/>`; none when absent. */
  filter: ZLibvirtName.optional(),
});
export type TNicSpec = z.infer<typeof ZNicSpec>;

// networks (issue 17)
/**
 * Defines a guest network on one host. Managed: a libvirt network (NAT or routed) with its bridge,
 * gateway address and dnsmasq DNS domain, started and autostarted; one already there with the same
 * name or bridge is adopted, never redefined. Bridge: the Linux bridge must exist on the host.
 */
export const ZNetworkDefinePayload = z.object({
  networkId: ZId,
  kind: z.enum(["managed", "bridge"]),
  /** Managed: the libvirt network's name; Bridge: the bridge's name (how NICs name it). */
  name: ZLibvirtName,
  /** The Linux bridge: required for bridge networks; for managed ones the bridge libvirt creates (libvirt picks one when absent). */
  bridge: ZLibvirtName.max(15).optional(),
  mode: z.enum(["nat", "routed"]).default("nat"),
  /** Managed: the host's address on the bridge (the guests' gateway) and the subnet's prefix. */
  address: z.ipv4().optional(),
  prefix: z.number().int().min(8).max(30).optional(),
  /** The addresses Carve allocates: dnsmasq then serves DHCP to the reserved hosts only. */
  range: z.object({ start: z.ipv4(), end: z.ipv4() }).optional(),
  dnsDomain: z.string().max(253).regex(/^[a-z0-9.-]+$/).optional(),
});
export const ZNetworkDefineResult = z.object({
  networkId: ZId,
  /** The network's name in libvirt (an adopted one's own), or the bridge's. */
  name: ZLibvirtName,
  adopted: z.boolean(),
  active: z.boolean(),
  bridge: z.string().nullable(),
});
/**
 * Removes a managed network Carve defined on this host (its network was deleted, or the host taken
 * off it): stopped (net-destroy) and undefined. Idempotent: a network already gone is fine. Never
 * sent for one network.define adopted: that one was the host's before Carve, and stays.
 */
export const ZNetworkUndefinePayload = z.object({ networkId: ZId, name: ZLibvirtName });
export const ZNetworkUndefineResult = z.object({
  networkId: ZId,
  name: ZLibvirtName,
  /** false: it was not defined here. */
  removed: z.boolean(),
});
