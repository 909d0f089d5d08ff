import { z } from "zod";
import { ZId, ZLibvirtName } from "./common.ts";

// security groups (issue 17)
/** An IPv4 network in CIDR notation (core normalised it: host bits zero). */
const ZCidr = z.string().regex(/^(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.0.0.0/8");

/** One ingress rule of a VM's filter, resolved by core: a source group is already its members' addresses. */
export const ZFilterRule = z.object({
  protocol: z.enum(["tcp", "udp", "icmp", "all"]),
  /** tcp/udp: the first and last port, both included; null for icmp and all. */
  portFrom: z.number().int().min(1).max(65535).nullable(),
  portTo: z.number().int().min(1).max(65535).nullable(),
  sourceCidr: ZCidr,
});
export type TFilterRule = z.infer<typeof ZFilterRule>;

/**
 * A VM's network filter as core renders it from the VM's security groups: anti-spoofing for its
 * address, the ingress rules, established traffic and all egress accepted, other ingress dropped.
 */
export const ZVmFilter = z.object({
  /** vmFilterName(vmId): the NIC's filterref names it. */
  name: ZLibvirtName,
  /** The address Carve allocated the NIC (anti-spoofing); null: libvirt learns it from the guest's traffic. */
  ip: z.ipv4().nullable(),
  rules: z.array(ZFilterRule).max(2000),
});
export type TVmFilter = z.infer<typeof ZVmFilter>;

/** Defines (or redefines: libvirt re-applies it to running NICs at once) a VM's filter on its host; idempotent. */
export const ZVmFilterPayload = z.object({ vmId: ZId, filter: ZVmFilter });
export const ZVmFilterResult = z.object({
  vmId: ZId,
  name: ZLibvirtName,
  rules: z.number().int().min(0),
  /** false: the VM has no domain on this host (destroyed, or not/no longer here), so no filter was defined. */
  applied: z.boolean(),
});
