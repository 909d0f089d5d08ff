import type { HostState } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";

/**
 * Reads each host's heartbeat and settles its state: a host whose agent heartbeats is Up (with the
 * CPUs and memory libvirt reports); one whose heartbeat expired is Disconnected. Maintenance states
 * are the admin's and are kept. Carve never reboots or fences a host.
 */
export async function refreshHostStates(deps: CoreDeps): Promise<{ up: number; disconnected: number }> {
  const hosts = await deps.db.host.findMany({ where: { state: { not: "Removed" } }, select: { id: true, name: true, state: true } });
  let up = 0;
  let disconnected = 0;
  for (const host of hosts) {
    const beat = await deps.queues.heartbeat(host.id);
    const adminHeld = host.state === "Maintenance" || host.state === "PrepareForMaintenance";
    const next: HostState = adminHeld ? host.state : beat ? "Up" : "Disconnected";
    if (next === "Up") up += 1;
    if (next === "Disconnected") disconnected += 1;
    await deps.db.$transaction(async (tx) => {
      await tx.host.update({
        where: { id: host.id },
        data: {
          state: next,
          ...(beat
            ? { cpus: beat.cpus, memoryMiB: beat.memoryMiB, agentVersion: beat.agentVersion, lastHeartbeatAt: new Date(beat.at) }
            : {}),
        },
      });
      if (next !== host.state) {
        await recordEvent(tx, {
          type: "host.state",
          actor: SYSTEM_ACTOR,
          hostId: host.id,
          fromState: host.state,
          toState: next,
          message: next === "Up" ? `host ${host.name} is Up: its agent heartbeats` : `host ${host.name} is ${next}: no heartbeat from its agent`,
        });
      }
    });
  }
  return { up, disconnected };
}
