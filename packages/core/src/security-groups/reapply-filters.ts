import type { CoreDeps } from "../context.ts";
import { resolveHost } from "../hosts/resolve-host.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { dispatchFilterJobs, recordFilterJobs } from "./filter-jobs.ts";

/**
 * Re-applies the filters of every VM on a host (admins and the controller): what reconciliation
 * runs when a host comes back or its filters drifted, and the repair after a rule change whose
 * job failed. Idempotent on the agent's side. Returns how many vm.filter jobs were sent.
 * @throws CarveError HOST_NOT_FOUND, FORBIDDEN
 */
export async function reapplyFilters(deps: CoreDeps, actor: TActor, input: { host: string }): Promise<{ host: string; jobs: number }> {
  requireAdmin(actor, "re-apply VMs' network filters");
  const jobs = await deps.db.$transaction(async (tx) => {
    const host = await resolveHost(tx, input.host, "host");
    const vms = await tx.vm.findMany({ where: { hostId: host.id, state: { notIn: ["Destroying", "Destroyed"] } }, select: { id: true } });
    return { host: host.name, recorded: await recordFilterJobs(tx, deps, actor, vms.map((v) => v.id)) };
  });
  await dispatchFilterJobs(deps, jobs.recorded);
  return { host: jobs.host, jobs: jobs.recorded.length };
}
