import type { CoreDeps } from "../context.ts";
import { requestInventory } from "./request-inventory.ts";

/**
 * The controller's own finished inventory jobs are kept this long, then deleted: one per host every
 * round would otherwise pile up, each carrying a full domain and volume list. Admins' are kept.
 */
const KEEP_SYSTEM_INVENTORIES_MS = 3600_000;

export interface TReconcileOptions {
  /** How often each Up host is asked for its inventory (ms). */
  everyMs: number;
}

/**
 * The periodic half of reconciliation: asks every Up host (or one in maintenance) whose last inventory (the controller's or
 * an admin's `host inspect`) is older than `everyMs` for a new one. The answer is compared with the
 * database when the job finalises (see applyInventory). Returns how many were asked, and how many
 * of the controller's old inventory jobs were deleted.
 */
export async function reconcileHosts(deps: CoreDeps, options: TReconcileOptions): Promise<{ requested: number; pruned: number }> {
  // Hosts in (preparation for) maintenance still hold VMs, or may: their hypervisor's word counts too.
  const hosts = await deps.db.host.findMany({ where: { state: { in: ["Up", "PrepareForMaintenance", "Maintenance"] } }, select: { id: true } });
  const since = new Date(deps.now().getTime() - options.everyMs);
  const keepSince = new Date(deps.now().getTime() - Math.max(KEEP_SYSTEM_INVENTORIES_MS, 2 * options.everyMs));
  let requested = 0;
  let pruned = 0;
  for (const host of hosts) {
    const recent = await deps.db.job.count({
      where: { hostId: host.id, kind: "host.inventory", OR: [{ createdAt: { gt: since } }, { state: { in: ["Queued", "Running"] } }] },
    });
    if (recent > 0) continue;
    if (!(await requestInventory(deps, host.id, "periodic"))) continue;
    requested += 1;
    const old = await deps.db.job.deleteMany({
      where: { hostId: host.id, kind: "host.inventory", actorId: null, state: { in: ["Succeeded", "Failed"] }, createdAt: { lt: keepSince } },
    });
    pruned += old.count;
  }
  return { requested, pruned };
}
