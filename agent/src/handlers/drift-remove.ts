import type { TJobHandler } from "./context.ts";

/**
 * drift.remove: removes one thing the drift list names on this host (`carve drift destroy`): a
 * managed network's DHCP host entry or DNS record that no Carve NIC has, or the network filter of a
 * VM that is not here, or a disk file a migration left in its source pool. Idempotent: already gone is `removed: false`.
 */
export const driftRemove: TJobHandler<"drift.remove"> = async (payload, ctx) => {
  const { hypervisor } = ctx;
  switch (payload.kind) {
    case "dhcp-host":
      return { removed: await hypervisor.removeNetworkEntry(payload.network, { kind: "dhcp", mac: payload.mac, ip: payload.ip }) };
    case "dns-host":
      return { removed: await hypervisor.removeNetworkEntry(payload.network, { kind: "dns", ip: payload.ip }) };
    case "filter":
      return { removed: await hypervisor.removeFilter(payload.name) };
    case "volume":
      // A source disk a live migration left behind (issue 19); one already gone is `removed: false`.
      return { removed: await hypervisor.deleteVolume(payload.pool, payload.name) };
  }
};
