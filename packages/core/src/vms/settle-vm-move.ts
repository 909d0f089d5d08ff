import { randomUUID } from "node:crypto";
import type { Prisma, Tx } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import type { TDispatchable } from "../jobs/dispatch-job.ts";
import { completeMove, readMoveRecord, releaseMoveTarget } from "./reserve-move-target.ts";
import { clause } from "../errors/clause.ts";

/** The jobs that move a VM between hosts: settled here, before the generic VM settling. */
export const VM_MOVE_JOBS: ReadonlySet<string> = new Set(["vm.migrate", "vm.define", "vm.undefine"]);

type TOutcome = { ok: true; result: unknown } | { ok: false; message: string };

interface TMoveJob {
  id: string;
  kind: string;
  vmId: string | null;
  hostId: string | null;
  request: Prisma.JsonValue;
}

/** What finalising a move job leads to: a next job to send, and the maintenance it belongs to. */
export interface TMoveSettled {
  followUp: TDispatchable | null;
  parentJobId: string | null;
}

/**
 * Finalises a move job's effect on hosts, capacity and volumes (inside finaliseJob's transaction):
 * - vm.migrate: on success the VM's host becomes the target, the source's vCPUs, memory and local
 *   pool bytes are given back and copied volumes change pool (the generic settling then sets it
 *   Running); on failure the target's reservation is given back (it runs on the source, as before).
 * - vm.define (a cold move's first half): on success the VM belongs to the target and a
 *   `vm.undefine` on the source follows (returned, to be sent after the commit); on failure the
 *   reservation is given back and the VM is Stopped where it was.
 * - vm.undefine: the VM is Stopped on its new host; a failure leaves it there (the old definition
 *   is reported as drift by reconciliation) with the reason.
 */
export async function settleVmMove(tx: Tx, deps: CoreDeps, job: TMoveJob, outcome: TOutcome): Promise<TMoveSettled> {
  const row = await tx.job.findUnique({ where: { id: job.id }, select: { parentJobId: true, actorId: true } });
  const settled: TMoveSettled = { followUp: null, parentJobId: row?.parentJobId ?? null };
  const record = readMoveRecord(job.request);
  const vm = job.vmId ? await tx.vm.findUnique({ where: { id: job.vmId }, select: { id: true, name: true, state: true, vcpus: true, memoryMiB: true, activeJobId: true } }) : null;
  if (!vm || !record || vm.activeJobId !== job.id) return settled;
  const hosts = await tx.host.findMany({ where: { id: { in: [record.sourceHostId, record.targetHostId] } }, select: { id: true, name: true } });
  const nameOf = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
  const [from, to] = [nameOf(record.sourceHostId), nameOf(record.targetHostId)];

  if (job.kind === "vm.migrate") {
    if (outcome.ok) {
      await completeMove(tx, record, vm, resultDiskPaths(outcome.result));
      const seconds = (resultDuration(outcome.result) / 1000).toFixed(1);
      await event(tx, vm.id, record.targetHostId, job.id, `${vm.name} live-migrated from ${from} to ${to} in ${seconds} s`, { from, to, durationMs: resultDuration(outcome.result) });
    } else {
      await releaseMoveTarget(tx, record, vm);
    }
    return settled;
  }

  if (job.kind === "vm.define") {
    if (!outcome.ok) {
      await releaseMoveTarget(tx, record, vm);
      const reason = `moving ${vm.name} to ${to} failed: ${clause(outcome.message)}. It is Stopped on ${from}, as before.`;
      await tx.vm.update({ where: { id: vm.id }, data: { state: "Stopped", stateReason: reason, activeJobId: null } });
      await tx.job.update({ where: { id: job.id }, data: { errorMessage: reason } });
      await event(tx, vm.id, record.sourceHostId, job.id, reason, undefined, "Stopped");
      return settled;
    }
    await completeMove(tx, record, vm, record.diskPaths ?? []);
    const undefineId = randomUUID();
    const request = { payload: { vmId: vm.id }, previousState: "Stopped", move: record } as unknown as Prisma.InputJsonValue;
    const next = await tx.job.create({
      data: { id: undefineId, kind: "vm.undefine", actorId: row?.actorId ?? null, vmId: vm.id, hostId: record.sourceHostId, parentJobId: settled.parentJobId, request, createdAt: deps.now() },
    });
    await tx.vm.update({ where: { id: vm.id }, data: { activeJobId: undefineId } });
    await event(tx, vm.id, record.targetHostId, job.id, `${vm.name} is defined on ${to}; removing its old definition from ${from}`);
    return { ...settled, followUp: next };
  }

  // vm.undefine: the VM already belongs to the target.
  const reason = outcome.ok ? null : `${vm.name} moved to ${to}, but its old definition on ${from} could not be removed (${outcome.message}); reconciliation reports it as drift there.`;
  await tx.vm.update({ where: { id: vm.id }, data: { state: "Stopped", stateReason: reason, activeJobId: null } });
  await event(tx, vm.id, record.targetHostId, job.id, reason ?? `${vm.name} moved cold from ${from} to ${to}`, { from, to }, "Stopped");
  return settled;
}

/**
 * An abandoned move (its host went silent, or it got stuck) before the VM belonged to its target:
 * the target's reservation is given back. The VM stays on record on its source (Unknown); if it did
 * reach the target after all, reconciliation reports the domain there.
 */
export async function releaseAbandonedMove(tx: Tx, job: TMoveJob): Promise<void> {
  const record = readMoveRecord(job.request);
  if (!record || !job.vmId || (job.kind !== "vm.migrate" && job.kind !== "vm.define")) return;
  const vm = await tx.vm.findUnique({ where: { id: job.vmId }, select: { vcpus: true, memoryMiB: true } });
  if (vm) await releaseMoveTarget(tx, record, vm);
}

async function event(tx: Tx, vmId: string, hostId: string, jobId: string, message: string, data?: Prisma.InputJsonValue, toState?: "Stopped"): Promise<void> {
  await recordEvent(tx, {
    type: toState ? "vm.state" : "vm.moved",
    actor: SYSTEM_ACTOR,
    vmId,
    hostId,
    jobId,
    message,
    ...(toState ? { fromState: "Migrating", toState } : {}),
    ...(data === undefined ? {} : { data }),
  });
}

function resultDiskPaths(result: unknown): { volumeId: string; path: string }[] {
  if (!result || typeof result !== "object" || !("diskPaths" in result) || !Array.isArray(result.diskPaths)) return [];
  return result.diskPaths as { volumeId: string; path: string }[];
}

function resultDuration(result: unknown): number {
  return result && typeof result === "object" && "durationMs" in result && typeof result.durationMs === "number" ? result.durationMs : 0;
}
