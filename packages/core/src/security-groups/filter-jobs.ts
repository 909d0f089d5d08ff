import { randomUUID } from "node:crypto";
import type { Job, Tx } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { actorId, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { loadVmFilters } from "./load-vm-filters.ts";

/** States in which a VM has no domain whose filter could matter (or will have none soon). */
const NO_FILTER_STATES = new Set(["Destroying", "Destroyed"]);

/**
 * The VMs whose filters change when these groups change: their members (the rules changed) and,
 * with `asSources`, the members of every group with a rule whose source is one of them (the
 * addresses behind that source changed: a member joined or left).
 */
export async function vmsAffectedBy(tx: Tx, groupIds: readonly string[], options: { asSources?: boolean; members?: boolean } = {}): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const ids = new Set<string>();
  if (options.members !== false) {
    for (const m of await tx.vmSecurityGroup.findMany({ where: { groupId: { in: [...groupIds] } }, select: { vmId: true } })) ids.add(m.vmId);
  }
  if (options.asSources) {
    const sourcing = await tx.vmSecurityGroup.findMany({
      where: { group: { rules: { some: { sourceGroupId: { in: [...groupIds] } } } } },
      select: { vmId: true },
    });
    for (const m of sourcing) ids.add(m.vmId);
  }
  return [...ids];
}

/**
 * Records a vm.filter job for each of these VMs that has a filter and a host (inside the caller's
 * transaction, so the filters are rendered from what it wrote); the caller dispatches them after
 * the commit (dispatchFilterJobs). Returns the jobs.
 */
export async function recordFilterJobs(tx: Tx, deps: Pick<CoreDeps, "now">, actor: TActor, vmIds: readonly string[]): Promise<Job[]> {
  const filters = (await loadVmFilters(tx, vmIds)).filter((f) => f.hostId !== null && !NO_FILTER_STATES.has(f.state));
  if (filters.length === 0) return [];
  const now = deps.now();
  return tx.job.createManyAndReturn({
    data: filters.map((f) => ({
      id: randomUUID(),
      kind: "vm.filter",
      actorId: actorId(actor),
      vmId: f.vmId,
      hostId: f.hostId,
      request: { payload: { vmId: f.vmId, filter: f.filter } },
      createdAt: now,
    })),
  });
}

/**
 * A VM left its groups (destroyed): its memberships go, and the VMs whose rules name one of those
 * groups as their source get their filters re-rendered without its address. The jobs are recorded
 * in the caller's transaction and sent by the controller's sweep.
 */
export async function leaveSecurityGroups(tx: Tx, deps: Pick<CoreDeps, "now">, actor: TActor, vmId: string): Promise<void> {
  const groupIds = (await tx.vmSecurityGroup.findMany({ where: { vmId }, select: { groupId: true } })).map((m) => m.groupId);
  if (groupIds.length === 0) return;
  await tx.vmSecurityGroup.deleteMany({ where: { vmId } });
  await recordFilterJobs(tx, deps, actor, await vmsAffectedBy(tx, groupIds, { asSources: true, members: false }));
}

/** Sends recorded filter jobs (a Redis outage leaves them Queued for the controller's sweep). */
export async function dispatchFilterJobs(deps: CoreDeps, jobs: readonly Job[]): Promise<void> {
  await Promise.all(jobs.map((job) => dispatchJob(deps, job)));
}
