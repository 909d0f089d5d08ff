import type { Tx } from "@carve/db";
import { vmIdFromDomainName, ZInventoryResult } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { releaseHostCapacity } from "../hosts/capacity.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { holdsCapacity } from "../vms/vm-state-machine.ts";
import { endConsoleSessions } from "../console/end-console-sessions.ts";
import { compareInventory, type TCorrection, type TDriftFinding, type TElsewhereVm } from "./compare-inventory.ts";

/** Clocks of the processes that stamp rows differ a little; changes this close to the request wait a round. */
const CLOCK_MARGIN_MS = 1_000;

export interface TApplyReport {
  corrected: number;
  driftOpened: number;
  driftResolved: number;
}

interface THostRef {
  id: string;
  name: string;
}

/**
 * Reconciles the database with a finished host.inventory job (the controller's periodic one or an
 * admin's `host inspect`): corrects each VM whose domain says otherwise, with a `vm.reconciled`
 * event, and records domains nobody in Carve owns on the drift list. Called when the job
 * finalises; running it twice for the same job changes nothing the second time.
 */
export async function applyInventory(deps: CoreDeps, jobId: string): Promise<TApplyReport | null> {
  const job = await deps.db.job.findUnique({
    where: { id: jobId },
    select: { kind: true, state: true, result: true, createdAt: true, host: { select: { id: true, name: true } } },
  });
  if (!job?.host || job.kind !== "host.inventory" || job.state !== "Succeeded") return null;
  const inventory = ZInventoryResult.safeParse(job.result);
  if (!inventory.success) return null;
  const host = job.host;
  const domains = inventory.data.domains;
  const since = new Date(job.createdAt.getTime() - CLOCK_MARGIN_MS);
  const report = await deps.db.$transaction(async (tx) => {
    const placed = await tx.vm.findMany({
      where: { hostId: host.id, state: { not: "Destroyed" } },
      select: { id: true, name: true, state: true, activeJobId: true, updatedAt: true, vcpus: true, memoryMiB: true },
    });
    const placedIds = new Set(placed.map((vm) => vm.id));
    const otherIds = domains.map((d) => vmIdFromDomainName(d.name)).filter((id): id is string => id !== null && isUuid(id) && !placedIds.has(id));
    const others = otherIds.length === 0 ? [] : await tx.vm.findMany({
      where: { id: { in: otherIds } },
      select: { id: true, name: true, state: true, updatedAt: true, host: { select: { name: true } } },
    });
    const elsewhere = new Map<string, TElsewhereVm>(others.map((vm) => [vm.id, { ...vm, hostName: vm.host?.name ?? null }]));
    const { corrections, drift } = compareInventory({ hostName: host.name, placed, elsewhere, domains, since });
    let corrected = 0;
    for (const correction of corrections) {
      const vm = placed.find((v) => v.id === correction.vmId);
      if (vm && (await applyCorrection(tx, deps, host, jobId, vm, correction))) corrected += 1;
    }
    const present = new Set(domains.map((d) => d.name));
    return { corrected, ...(await recordDrift(tx, deps, host, drift, present, since)) };
  });
  if (report.corrected + report.driftOpened + report.driftResolved > 0) {
    deps.log.info({ host: host.name, jobId, ...report }, "reconciled a host's inventory");
    deps.hooks?.reconciled?.({ host: host.name, ...report });
  }
  return report;
}

async function applyCorrection(
  tx: Tx,
  deps: CoreDeps,
  host: THostRef,
  jobId: string,
  vm: { id: string; updatedAt: Date; vcpus: number; memoryMiB: number },
  c: TCorrection,
): Promise<boolean> {
  // Only if nothing touched the VM since it was read: a job claiming it now wins.
  const updated = await tx.vm.updateMany({
    where: { id: vm.id, state: c.from, activeJobId: null, updatedAt: vm.updatedAt },
    data: { state: c.to, stateReason: c.reason },
  });
  if (updated.count === 0) return false;
  if (holdsCapacity(c.from) && !holdsCapacity(c.to)) await releaseHostCapacity(tx, host.id, vm.vcpus, vm.memoryMiB);
  // A console lives only while the VM runs (issue 18).
  if (c.to !== "Running") await endConsoleSessions(tx, { vmId: vm.id }, `${c.vmName} is ${c.to} (reported by host ${host.name})`, deps.now());
  if (c.to === "Running" || c.to === "Stopped") {
    // A create abandoned by the watchdog left its root volume Allocating; the domain proves it exists.
    await tx.volume.updateMany({ where: { vmId: vm.id, state: "Allocating" }, data: { state: "Attached" } });
  }
  await recordEvent(tx, {
    type: "vm.reconciled",
    actor: SYSTEM_ACTOR,
    vmId: vm.id,
    hostId: host.id,
    jobId,
    fromState: c.from,
    toState: c.to,
    message: `${c.vmName}: ${c.from} → ${c.to}, reported by host ${host.name} (domain ${c.reported}). ${c.reason}`,
    data: { reportedBy: host.name, reported: c.reported, at: deps.now().toISOString() },
  });
  return true;
}

/**
 * Keeps the host's drift list in step with what it reports: new unknown domains open an item (with
 * an event), items whose domain is gone are resolved, a failed cleanup reopens its item. Nothing is
 * ever removed from the host here.
 */
async function recordDrift(
  tx: Tx,
  deps: CoreDeps,
  host: THostRef,
  drift: TDriftFinding[],
  present: ReadonlySet<string>,
  since: Date,
): Promise<{ driftOpened: number; driftResolved: number }> {
  const now = deps.now();
  const existing = new Map((await tx.driftItem.findMany({ where: { hostId: host.id } })).map((item) => [item.domainName, item]));
  let driftOpened = 0;
  let driftResolved = 0;
  for (const finding of drift) {
    const item = existing.get(finding.domainName);
    const seen = { lastSeenAt: now, reportedState: finding.reportedState, domainUuid: finding.domainUuid, vmId: finding.vmId, note: finding.note };
    if (!item) {
      const created = await tx.driftItem.create({ data: { hostId: host.id, domainName: finding.domainName, firstSeenAt: now, ...seen } });
      await driftEvent(tx, host, created.id, finding.domainName, `host ${host.name} has a domain Carve does not manage: ${finding.note} See 'carve drift list'.`);
      driftOpened += 1;
      continue;
    }
    let reopen: string | null = null;
    if (item.state === "Resolved") reopen = finding.note;
    if (item.state === "Destroying" && item.jobId) {
      const cleanup = await tx.job.findUnique({ where: { id: item.jobId }, select: { state: true, errorMessage: true, finishedAt: true } });
      if (cleanup?.state === "Failed") reopen = `${finding.note} Destroying it failed: ${cleanup.errorMessage ?? "no reason given"}.`;
      if (cleanup?.state === "Succeeded" && cleanup.finishedAt && cleanup.finishedAt < since) reopen = `${finding.note} It is still there after it was destroyed.`;
    }
    if (reopen) {
      await tx.driftItem.update({ where: { id: item.id }, data: { ...seen, note: reopen, state: "Open", resolvedAt: null, jobId: null, ...(item.state === "Resolved" ? { firstSeenAt: now } : {}) } });
      await driftEvent(tx, host, item.id, item.domainName, `drift on host ${host.name} is open again: ${reopen}`);
      driftOpened += 1;
    } else {
      await tx.driftItem.update({ where: { id: item.id }, data: seen });
    }
  }
  for (const item of existing.values()) {
    if (item.state === "Resolved" || present.has(item.domainName)) continue;
    await tx.driftItem.update({ where: { id: item.id }, data: { state: "Resolved", resolvedAt: now } });
    await driftEvent(tx, host, item.id, item.domainName, `drift resolved: ${item.domainName} is no longer on host ${host.name}`);
    driftResolved += 1;
  }
  return { driftOpened, driftResolved };
}

async function driftEvent(tx: Tx, host: THostRef, driftId: string, domainName: string, message: string): Promise<void> {
  await recordEvent(tx, { type: "host.drift", actor: SYSTEM_ACTOR, hostId: host.id, message, data: { driftId, domainName } });
}
