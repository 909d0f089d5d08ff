import { randomUUID } from "node:crypto";
import type { Prisma, Tx } from "@carve/db";
import type { CoreDeps } from "../../context.ts";
import { recordEvent } from "../../events/record-event.ts";
import { SYSTEM_ACTOR } from "../../identity/actor.ts";
import type { TDispatchable } from "../../jobs/dispatch-job.ts";
import { jobRequest, readJobRequest, type TMoveRecord } from "../../jobs/job-request.ts";
import { completeMove, releaseMoveTarget } from "./reserve-move-target.ts";
import { clause } from "../../errors/clause.ts";

/** The jobs that move a VM between hosts: settled here, before the generic VM settling. */
export type TVmMoveJob = "vm.migrate" | "vm.define" | "vm.undefine";

type TOutcome = { ok: true; result: unknown } | { ok: false; message: string };

interface TMoveJob {
  id: string;
  kind: TVmMoveJob;
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
 * - vm.define for a VM whose host was declared dead: no undefine follows (nobody answers there);
 *   the VM is Running on the target when the job started it, else Stopped; a failure leaves it
 *   Stopped on record with the way out.
 * - vm.undefine: the VM is Stopped on its new host; a failure leaves it there (the old definition
 *   is reported as drift by reconciliation) with the reason.
 */
export async function settleVmMove(tx: Tx, deps: CoreDeps, job: TMoveJob, outcome: TOutcome): Promise<TMoveSettled> {
  const row = await tx.job.findUnique({ where: { id: job.id }, select: { parentJobId: true, actorId: true } });
  const settled: TMoveSettled = { followUp: null, parentJobId: row?.parentJobId ?? null };
  const { move: record, payload } = readJobRequest(job.kind, job);
  const vm = job.vmId ? await tx.vm.findUnique({ where: { id: job.vmId }, select: { id: true, name: true, state: true, vcpus: true, memoryMiB: true, activeJobId: true } }) : null;
  if (!vm || vm.activeJobId !== job.id) return settled;
  const hosts = await tx.host.findMany({ where: { id: { in: [record.sourceHostId, record.targetHostId] } }, select: { id: true, name: true } });
  const nameOf = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
  const [from, to] = [nameOf(record.sourceHostId), nameOf(record.targetHostId)];

  if (job.kind === "vm.migrate") {
    if (outcome.ok) {
      await completeMove(tx, record, vm, resultDiskPaths(outcome.result));
      await removeSourceDisks(tx, deps, record, vm.id, row?.actorId ?? null);
      const seconds = (resultDuration(outcome.result) / 1000).toFixed(1);
      await event(tx, vm.id, record.targetHostId, job.id, `${vm.name} live-migrated from ${from} to ${to} in ${seconds} s`, { from, to, durationMs: resultDuration(outcome.result) });
    } else {
      await releaseMoveTarget(tx, record, vm);
    }
    return settled;
  }

  if (job.kind === "vm.define") {
    if (!outcome.ok && (await tx.host.findUnique({ where: { id: record.sourceHostId }, select: { state: true } }))?.state === "Dead") {
      await releaseMoveTarget(tx, record, vm);
      const reason = `${vm.name} could not be defined on ${to} (${clause(outcome.message)}); its host ${from} was declared dead. Its disks on shared storage are intact: an admin moves it with 'carve vm migrate ${vm.name}', then start it.`;
      await tx.vm.update({ where: { id: vm.id }, data: { state: "Stopped", stateReason: reason, activeJobId: null } });
      await tx.job.update({ where: { id: job.id }, data: { errorMessage: reason } });
      // No job on the event: its owner is DMed (the job's failure alone reaches only the admin who declared).
      await recordEvent(tx, { type: "vm.state", actor: SYSTEM_ACTOR, vmId: vm.id, hostId: record.sourceHostId, fromState: "Migrating", toState: "Stopped", message: reason });
      return settled;
    }
    if (!outcome.ok) {
      await releaseMoveTarget(tx, record, vm);
      const reason = `moving ${vm.name} to ${to} failed: ${clause(outcome.message)}. It is Stopped on ${from}, as before.`;
      await tx.vm.update({ where: { id: vm.id }, data: { state: "Stopped", stateReason: reason, activeJobId: null } });
      await tx.job.update({ where: { id: job.id }, data: { errorMessage: reason } });
      await event(tx, vm.id, record.sourceHostId, job.id, reason, undefined, "Stopped");
      return settled;
    }
    await completeMove(tx, record, vm, record.diskPaths ?? []);
    const source = await tx.host.findUnique({ where: { id: record.sourceHostId }, select: { state: true } });
    // Only a dead host's restart sets `start` (a cold move's define leaves it out: defined, not started).
    const started = "start" in payload && payload.start === true;
    if (source?.state === "Dead") return { ...settled, ...(await settleDefineFromDeadHost(tx, vm, started, { from, to })) };
    const undefineId = randomUUID();
    const request = jobRequest("vm.undefine", { payload: { vmId: vm.id }, previousState: "Stopped", move: record });
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
 * A define on a new host for a VM whose host was declared dead: there is no old definition to
 * remove, so the VM is settled here, Running when the job started it (its owner is told: an event
 * without a job is what Slack DMs).
 */
async function settleDefineFromDeadHost(tx: Tx, vm: { id: string; name: string }, started: boolean, hosts: { from: string; to: string }): Promise<Pick<TMoveSettled, "followUp">> {
  const to = started ? "Running" : "Stopped";
  await tx.vm.update({ where: { id: vm.id }, data: { state: to, stateReason: null, activeJobId: null } });
  const message = started ? `${vm.name} was restarted on ${hosts.to} from its disks on shared storage (its host ${hosts.from} was declared dead)` : `${vm.name} is now defined on ${hosts.to}, Stopped (its host ${hosts.from} was declared dead)`;
  await recordEvent(tx, { type: "vm.state", actor: SYSTEM_ACTOR, vmId: vm.id, hostId: (await tx.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { hostId: true } })).hostId, fromState: "Migrating", toState: to, message, data: { from: hosts.from, to: hosts.to } });
  return { followUp: null };
}

/**
 * An abandoned move (its host went silent, or it got stuck) before the VM belonged to its target:
 * the target's reservation is given back. The VM stays on record on its source (Unknown); if it did
 * reach the target after all, reconciliation reports the domain there.
 */
export async function releaseAbandonedMove(tx: Tx, job: TMoveJob): Promise<void> {
  if (!job.vmId || (job.kind !== "vm.migrate" && job.kind !== "vm.define")) return;
  const record = readJobRequest(job.kind, job).move;
  const vm = await tx.vm.findUnique({ where: { id: job.vmId }, select: { vcpus: true, memoryMiB: true, activeJobId: true } });
  // Only while the move still held the VM: otherwise its outcome was settled already.
  if (vm?.activeJobId === job.id) await releaseMoveTarget(tx, record, vm);
}

/**
 * After a live migration with local disks succeeded (the target verified it, so its copies are the
 * disks now): one drift.remove job per disk deletes the file left in its source pool, on the source
 * host (issue 19). Idempotent on the agent (keyed by the volume's name). Recorded Queued here; the
 * controller's sweep sends them, like any job not sent at once.
 */
async function removeSourceDisks(tx: Tx, deps: CoreDeps, record: TMoveRecord, vmId: string, actorId: string | null): Promise<void> {
  if (record.volumes.length === 0) return;
  const volumes = await tx.volume.findMany({ where: { id: { in: record.volumes.map((v) => v.id) } }, select: { id: true, libvirtName: true } });
  const pools = await tx.storagePool.findMany({ where: { id: { in: record.volumes.map((v) => v.fromPoolId) } }, select: { id: true, libvirtName: true } });
  for (const moved of record.volumes) {
    const pool = pools.find((p) => p.id === moved.fromPoolId)?.libvirtName;
    const name = volumes.find((v) => v.id === moved.id)?.libvirtName;
    if (!pool || !name) continue;
    const request = jobRequest("drift.remove", { payload: { kind: "volume", pool, name }, volumeId: moved.id });
    await tx.job.create({ data: { id: randomUUID(), kind: "drift.remove", actorId, vmId, hostId: record.sourceHostId, request, createdAt: deps.now() } });
  }
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
