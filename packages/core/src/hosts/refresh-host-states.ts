import type { HostState } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { requestInventory } from "../reconcile/request-inventory.ts";
import { reapplyFilters } from "../security-groups/reapply-filters.ts";
import { ageMs, DEFAULT_HOST_GRACE_MS, formatDuration, type THostLiveness } from "./host-liveness.ts";
import { markHostVmsUnknown } from "./mark-host-vms-unknown.ts";

export interface TRefreshReport {
  up: number;
  disconnected: number;
  /** Hosts that came (back) Up this round; each was asked for its inventory. */
  cameUp: string[];
  /** VMs that became Unknown this round. */
  unknown: number;
}

/**
 * Reads each host's heartbeat and settles its state. A host whose agent beat within the grace
 * period is Up (with the CPUs and memory libvirt reports); one silent for longer is Disconnected
 * and its VMs Unknown. The beat's own time is what counts, not the key's existence: the key
 * outlives a dead agent by its TTL, and a grace longer than the TTL falls back on the last beat
 * recorded. The beat also carries the agent's public key, recorded for sealing job secrets to it
 * (hosts that never joined, and agents whose key was regenerated). A host that comes back Up is
 * asked for its inventory at once, so reconciliation
 * settles its VMs, and its VMs' network filters are sent again (a rebuilt host, or rule changes
 * whose jobs failed while it was away, would otherwise leave them stale). Maintenance states are the admin's and are kept. Carve never reboots or fences.
 */
export async function refreshHostStates(deps: CoreDeps, options: Partial<THostLiveness> = {}): Promise<TRefreshReport> {
  const graceMs = options.graceMs ?? DEFAULT_HOST_GRACE_MS;
  const hosts = await deps.db.host.findMany({
    // A Dead host is never Up again from a beat: it comes back only through remove and add (a fresh join).
    where: { state: { notIn: ["Removed", "Dead"] } },
    select: { id: true, name: true, state: true, lastHeartbeatAt: true },
  });
  const report: TRefreshReport = { up: 0, disconnected: 0, cameUp: [], unknown: 0 };
  for (const host of hosts) {
    const beat = await deps.queues.heartbeat(host.id);
    const lastBeat = beat ? new Date(beat.at) : host.lastHeartbeatAt;
    const silentMs = ageMs(deps.now(), lastBeat);
    const fresh = silentMs <= graceMs;
    const adminHeld = host.state === "Maintenance" || host.state === "PrepareForMaintenance";
    const next: HostState = adminHeld ? host.state : fresh ? "Up" : "Disconnected";
    const silence = lastBeat ? `no heartbeat for ${formatDuration(silentMs)}, grace ${formatDuration(graceMs)}` : "no heartbeat yet";
    if (next === "Up") report.up += 1;
    if (next === "Disconnected") report.disconnected += 1;
    const settled = await deps.db.$transaction(async (tx) => {
      // Conditional on the state read above: an admin's removal (or maintenance) in between wins.
      const changed = await tx.host.updateMany({
        where: { id: host.id, state: host.state },
        data: {
          state: next,
          ...(beat
            ? {
                cpus: beat.cpus,
                memoryMiB: beat.memoryMiB,
                agentVersion: beat.agentVersion,
                lastHeartbeatAt: new Date(beat.at),
                // The agent's own key space is the only place this comes from: a host can only name its own key.
                ...(beat.sealKey ? { sealKey: beat.sealKey } : {}),
                // Where other hosts live-migrate VMs to this one: the agent's current settings.
                migrationUri: beat.migration?.uri ?? null,
                migrationAddress: beat.migration?.address ?? null,
                consoleLogDir: beat.migration?.consoleLogDir ?? null,
                // Where the console proxy reaches this host's agent (issue 18).
                consoleAddress: beat.console?.address ?? null,
              }
            : {}),
        },
      });
      if (changed.count === 0) return false;
      if (next !== host.state) {
        await recordEvent(tx, {
          type: "host.state",
          actor: SYSTEM_ACTOR,
          hostId: host.id,
          fromState: host.state,
          toState: next,
          message:
            next === "Up"
              ? `host ${host.name} is Up: its agent heartbeats`
              : `host ${host.name} is ${next}: ${silence}. Its VMs are Unknown until it reports back; check its agent ('carve-agent doctor' on the host). Carve does not reboot or fence it.`,
        });
      }
      return true;
    });
    if (!settled) continue;
    // Every round, not only on the change: a result finalised late may have set a VM of a silent host Running.
    // A host held in (preparation for) maintenance keeps its state, but its VMs' are just as unknown.
    if (next === "Disconnected" || (adminHeld && !fresh)) report.unknown += await markHostVmsUnknown(deps, host, silence);
    // A host in maintenance whose agent was silent and beats again (it was powered off, say) is
    // read back at once, as an Up host would be: reconciliation settles what changed meanwhile.
    if (adminHeld && fresh && beat && ageMs(new Date(beat.at), host.lastHeartbeatAt) > graceMs) await hostIsBack(deps, host);
    if (next === "Up" && host.state !== "Up") {
      report.cameUp.push(host.id);
      await hostIsBack(deps, host);
    }
  }
  return report;
}

/** A host that answers again: read its inventory back, and re-apply its VMs' filters (security groups, issue 17). */
async function hostIsBack(deps: CoreDeps, host: { id: string; name: string }): Promise<void> {
  await requestInventory(deps, host.id, "host-up");
  await reapplyFilters(deps, SYSTEM_ACTOR, { host: host.id }).catch((err: unknown) => deps.log.warn({ host: host.name, err }, "could not re-apply the host's network filters; the next time it comes back retries"));
}
