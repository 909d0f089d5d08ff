import { domainName, vmFilterName } from "@carve/protocol";
import type { TJobHandler } from "./context.ts";
import { filterSpec } from "./vm-filter.ts";
import { domainManagedNics, nicHostEntries, removeNicEntries } from "./nic-entries.ts";

/**
 * vm.migrate, on the SOURCE host: live-migrates the running VM to the destination's libvirt,
 * copying `disks` (its local ones) and leaving the shared ones where they are. Aborts, with the VM
 * still running here, when the control plane cancels the job or `timeoutSec` passes.
 */
export const vmMigrate: TJobHandler<"vm.migrate"> = async (payload, ctx) => {
  const deadline = Date.now() + payload.timeoutSec * 1000;
  const { destination } = payload;
  // Read before the domain leaves this host: afterwards its DHCP/DNS entries here are stale.
  const nics = await domainManagedNics(ctx.hypervisor, domainName(payload.vmId));
  const outcome = await ctx.hypervisor.migrateDomain(
    domainName(payload.vmId),
    {
      destinationUri: destination.uri,
      address: destination.address,
      consoleLogDir: destination.consoleLogDir,
      trustSharedStorage: payload.trustSharedStorage,
      filter: payload.filter ? filterSpec(payload.vmId, payload.filter) : undefined,
      networkHosts: nicHostEntries(payload.nics),
      disks: payload.disks.map((d) => ({
        volumeId: d.source.volumeId,
        source: { pool: d.source.pool, name: d.source.name },
        target: { pool: d.target.pool, name: d.target.name },
        capacityBytes: d.capacityBytes,
        format: d.format,
      })),
    },
    {
      onProgress: (percent, step) => ctx.reportProgress({ percent, step: `${step} (to ${destination.hostName})`.slice(0, 200) }),
      abortReason: async () => {
        if (await ctx.cancelRequested()) return "cancelled";
        if (Date.now() > deadline) return `it took longer than the ${payload.timeoutSec} s migration timeout`;
        return null;
      },
      pollIntervalMs: Math.max(ctx.pollIntervalMs, 500),
    },
  );
  ctx.log.info({ vmId: payload.vmId, destination: destination.hostName, durationMs: outcome.durationMs }, "VM live-migrated");
  await removeNicEntries(ctx.hypervisor, nics).catch((err: unknown) => ctx.log.warn({ vmId: payload.vmId, err }, "could not remove the migrated VM's DHCP/DNS entries on the source; they are stale until removed"));
  if (payload.filter) {
    await ctx.hypervisor.removeFilter(vmFilterName(payload.vmId)).catch((err: unknown) => ctx.log.warn({ vmId: payload.vmId, err }, "could not remove the migrated VM's network filter on the source; the drift list shows it"));
  }
  return { vmId: payload.vmId, state: "running", durationMs: outcome.durationMs, diskPaths: outcome.diskPaths };
};
