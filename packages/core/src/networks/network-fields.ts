import { ZLibvirtName } from "@carve/protocol";
import { z } from "zod";

/** An address as typed; checkNetworkShape says what is wrong with it, naming the field. */
export const ZIpv4Text = z.string({ error: "must be an IPv4 address, e.g. 10.0.0.1" }).max(15, "must be an IPv4 address, e.g. 10.0.0.1");

export const ZCidrText = z
  .string({ error: "is required: the network's IPv4 CIDR, e.g. 10.0.0.0/24" })
  .max(18, "must be an IPv4 network in CIDR notation, e.g. 10.0.0.0/24");

/** Guests are named <vm>.<domain>: lowercase DNS labels. */
export const ZDnsDomain = z
  .string()
  .max(253, "is longer than 253 characters: shorten it")
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be a DNS domain of lowercase labels, e.g. dev.example.com");

/** A Linux interface name (IFNAMSIZ: 15 characters). */
export const ZBridgeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/, "must be a Linux bridge name: at most 15 letters, digits, '.', '_' or '-', e.g. br0");

export const ZNetworkLibvirtName = ZLibvirtName;

export const ZNetworkKind = z.enum(["Managed", "Bridge"], { error: "must be Managed (a libvirt network Carve defines) or Bridge (an existing Linux bridge)" });
export const ZNetworkMode = z.enum(["nat", "routed"], { error: "must be nat or routed" });

/** The hosts that have the network, by name or id. */
export const ZNetworkHosts = z.array(z.string().min(1).max(100)).min(1, "needs at least one host: name the hosts that have this network").max(1000);

export const ZNetworkRef = z.string({ error: "is required: a network name or id" }).min(1, "is required: a network name or id").max(200);
