import type { TNetworkDetail, TNetworkView } from "@carve/core";
import { z } from "zod";
import { ANSWER_SCHEMAS, ZJobJson } from "./schemas.ts";

// networks (issue 17): `carve network …` in remote mode and the admin's REST clients.
const ZRef = z.object({ id: z.uuid(), name: z.string() });

/** A guest network as `GET /api/v1/admin/networks` lists it. */
export const ZNetworkJson = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    kind: z.enum(["Managed", "Bridge"]).describe("Managed: a libvirt network Carve defines on its hosts; Bridge: an existing Linux bridge on the LAN"),
    mode: z.enum(["nat", "routed"]).nullable().describe("Managed only"),
    cidr: z.string().describe("e.g. 10.0.0.0/24"),
    gateway: z.string().nullable(),
    rangeStart: z.string().nullable().describe("The addresses Carve hands to VMs, from rangeStart to rangeEnd; null: none (the LAN's DHCP gives them)"),
    rangeEnd: z.string().nullable(),
    dnsDomain: z.string().nullable().describe("VMs are named <vm>.<dnsDomain>"),
    libvirtName: z.string().nullable().describe("Managed: the network's name in libvirt"),
    bridge: z.string().nullable(),
    isDefault: z.boolean().describe("New VMs whose offering names no network get their NIC here"),
    hosts: z.array(ZRef).describe("The hosts that have it"),
    rangeSize: z.int().describe("Addresses in the range (0: no range)"),
    nics: z.int().describe("NICs of VMs on it"),
    freeAddresses: z.int().nullable().describe("Addresses of the range no VM holds; null: no range"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .register(ANSWER_SCHEMAS, { id: "Network" });
export const ZNetworkListJson = z.object({ items: z.array(ZNetworkJson) }).register(ANSWER_SCHEMAS, { id: "NetworkList" });

/** One network with the VMs on it: `GET /api/v1/admin/networks/{network}`. */
export const ZNetworkDetailJson = ZNetworkJson.extend({
  vms: z.array(
    z.object({ vmId: z.uuid(), name: z.string(), owner: z.string().describe("Username"), state: z.string(), host: z.string().nullable(), mac: z.string(), ip: z.string().nullable() }),
  ),
}).register(ANSWER_SCHEMAS, { id: "NetworkDetail" });

/** What `DELETE /api/v1/admin/networks/{network}` removed. */
export const ZDeletedNetworkJson = z.object({ id: z.uuid(), name: z.string() }).register(ANSWER_SCHEMAS, { id: "DeletedNetwork" });

/** What `POST /api/v1/admin/networks/{network}/define` started. */
export const ZDefinedNetworkJson = z
  .object({ network: ZRef, jobs: z.array(ZJobJson).describe("One network.define job per host: each makes the network Up, or Unhealthy with the reason and the fix") })
  .register(ANSWER_SCHEMAS, { id: "DefinedNetwork" });

export type TNetworkJson = z.input<typeof ZNetworkJson>;
export type TNetworkDetailJson = z.input<typeof ZNetworkDetailJson>;

export function toNetworkJson(n: TNetworkView): TNetworkJson {
  return { ...n, createdAt: n.createdAt.toISOString(), updatedAt: n.updatedAt.toISOString() };
}

export function toNetworkDetailJson({ vms, ...n }: TNetworkDetail): TNetworkDetailJson {
  return { ...toNetworkJson(n), vms: vms.map((v) => ({ vmId: v.vmId, name: v.name, owner: v.owner, state: v.state, host: v.host, mac: v.mac, ip: v.ip })) };
}
