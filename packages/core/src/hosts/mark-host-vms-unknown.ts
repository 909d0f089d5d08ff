import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { endConsoleSessions } from "../console/end-console-sessions.ts";

/**
 * The VMs of a silent host: Carve no longer knows whether they run, so Running and Stopped become
 * Unknown (not Stopped: they may well be running). Unknown keeps their capacity reserved. VMs with a
 * job in flight are left to the job (or to the watchdog). Returns how many changed.
 */
export async function markHostVmsUnknown(deps: CoreDeps, host: { id: string; name: string }, silence: string): Promise<number> {
  const vms = await deps.db.vm.findMany({
    where: { hostId: host.id, state: { in: ["Running", "Stopped"] }, activeJobId: null },
    select: { id: true, name: true, state: true },
  });
  if (vms.length === 0) return 0;
  const reason = `host ${host.name} stopped answering (${silence}); Carve does not know whether this VM runs. Its state is settled when the host reports back; Carve never restarts or fences a host on its own.`;
  let changed = 0;
  await deps.db.$transaction(async (tx) => {
    for (const vm of vms) {
      const updated = await tx.vm.updateMany({ where: { id: vm.id, state: vm.state, activeJobId: null }, data: { state: "Unknown", stateReason: reason } });
      if (updated.count === 0) continue;
      changed += 1;
      await endConsoleSessions(tx, { vmId: vm.id }, `${vm.name}'s host ${host.name} stopped answering`, deps.now());
      await recordEvent(tx, {
        type: "vm.state",
        actor: SYSTEM_ACTOR,
        vmId: vm.id,
        hostId: host.id,
        fromState: vm.state,
        toState: "Unknown",
        message: `${vm.name} is Unknown: ${reason}`,
      });
    }
  });
  deps.log.warn({ host: host.name, vms: changed }, "host silent: its VMs are Unknown");
  return changed;
}
