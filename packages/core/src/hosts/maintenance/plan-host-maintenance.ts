import type { Db, HostState, Tx, VmState } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../../context.ts";
import { requireAdmin, type TActor } from "../../identity/actor.ts";
import { loadPlacementHosts } from "../../placement/host-snapshot.ts";
import { readPlacementSettings } from "../../settings/placement-settings.ts";
import { parseInput } from "../../validation/parse-input.ts";
import { chargeSnapshot, explainNoTarget, findMoveTargets, loadMovingVms } from "../../vms/move/move-targets.ts";
import { resolveHost } from "../resolve-host.ts";

export const ZHostRefInput = z.object({
  host: z.string({ error: "is required: give the host's name or id" }).min(1, "is required: give the host's name or id").max(100, "is longer than 100 characters"),
});

/** One VM of a maintenance plan: how it leaves the host, where to, or why it cannot. */
export interface TMaintenanceMove {
  vm: { id: string; name: string; state: VmState };
  /** live-migrate: running, moves without stopping; cold-move: stopped, re-defined on the target; in-progress: already moving. */
  kind: "live-migrate" | "cold-move" | "in-progress" | "blocked";
  target: { id: string; name: string } | null;
  /** Disks on the host's local storage that are copied with the VM (storage motion). */
  storageMotion: { volumeId: string; pool: string; sizeGiB: number }[];
  /** Why the VM cannot leave (null when it can). */
  blocker: string | null;
}

export interface TMaintenancePlan {
  host: { id: string; name: string; state: HostState };
  moves: TMaintenanceMove[];
  /** Every VM that cannot leave, with the reason; empty when the plan can run to the end. */
  blockers: { vm: string; reason: string }[];
  /** One sentence for the admin. */
  message: string;
}

/**
 * "What would maintenance of this host do?" (admins only): each VM on the host with how it would
 * leave (running VMs live-migrate, stopped ones move cold), the host placement would pick for it,
 * the local disks that would be copied along, and a blocker with its reason for each VM that
 * cannot leave. VMs are placed one after another on a snapshot, so two VMs never count on the same
 * free memory. Reserves nothing.
 */
export async function planHostMaintenance(deps: CoreDeps, actor: TActor, input: unknown): Promise<TMaintenancePlan> {
  requireAdmin(actor, "plan host maintenance");
  const { host } = parseInput(ZHostRefInput, input);
  const found = await resolveHost(deps.db, host);
  return computeMaintenancePlan(deps.db, { id: found.id, name: found.name, state: found.state });
}

/** The plan for a host (also recorded by prepareHostMaintenance when it starts). */
export async function computeMaintenancePlan(db: Db | Tx, host: TMaintenancePlan["host"]): Promise<TMaintenancePlan> {
  const vms = await loadMovingVms(db, { hostId: host.id });
  const settings = await readPlacementSettings(db);
  // No template copy is needed for a move (findMoveTargets ignores it), so any template id does.
  const hosts = (await loadPlacementHosts(db, vms[0]?.templateId ?? "00000000-0000-0000-0000-000000000000")).filter((h) => h.id !== host.id);
  const details = await db.host.findMany({ where: { id: { in: hosts.map((h) => h.id) } }, select: { id: true, migrationUri: true } });
  const migrationUris = new Map(details.map((h) => [h.id, h.migrationUri]));
  const moves: TMaintenanceMove[] = [];
  for (const vm of vms) {
    const base = { vm: { id: vm.id, name: vm.name, state: vm.state }, target: null, storageMotion: [] };
    if (vm.state === "Migrating") {
      moves.push({ ...base, kind: "in-progress", blocker: null });
      continue;
    }
    const live = vm.state === "Running";
    // A stopped VM's local disks are copied along (a cold move with storage migration).
    const blocker = live || vm.state === "Stopped" ? null : `it is ${vm.state}: only running VMs (live migration) and stopped VMs (cold move) can leave; start, stop or destroy it first`;
    if (blocker) {
      moves.push({ ...base, kind: "blocked", blocker });
      continue;
    }
    const { candidates, rejections } = findMoveTargets(vm, hosts, settings, { live, migrationUris });
    const best = candidates[0];
    if (!best) {
      moves.push({ ...base, kind: "blocked", blocker: explainNoTarget(vm, rejections) });
      continue;
    }
    chargeSnapshot(hosts, vm, best);
    moves.push({
      ...base,
      kind: live ? "live-migrate" : "cold-move",
      target: best.host,
      storageMotion: best.localVolumes.map((v) => ({ volumeId: v.id, pool: v.pool.name, sizeGiB: v.sizeGiB })),
      blocker: null,
    });
  }
  const blockers = moves.flatMap((m) => (m.blocker ? [{ vm: m.vm.name, reason: m.blocker }] : []));
  const movable = moves.length - blockers.length;
  const message =
    moves.length === 0
      ? `${host.name} has no VMs: it can go into maintenance at once.`
      : blockers.length === 0
        ? `All ${moves.length} VM${moves.length > 1 ? "s" : ""} on ${host.name} can leave it.`
        : `${movable} of ${moves.length} VMs on ${host.name} can leave it; ${blockers.length} cannot (${blockers.map((b) => b.vm).join(", ")}): see their reasons. Maintenance would stop at the first of them.`;
  return { host, moves, blockers, message };
}
