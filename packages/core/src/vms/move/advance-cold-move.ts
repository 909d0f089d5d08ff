import { randomUUID } from "node:crypto";
import type { Job, Prisma, Tx } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import type { CoreDeps } from "../../context.ts";
import { CarveError } from "../../errors/index.ts";
import { recordEvent } from "../../events/record-event.ts";
import { SYSTEM_ACTOR, type TActor } from "../../identity/actor.ts";
import { jobRequest, readJobRequest, type TColdMove } from "../../jobs/job-request.ts";
import { dispatchJob } from "../../jobs/dispatch-job.ts";
import { readStorageSettings } from "../../settings/storage-settings.ts";
import { recordStreamJobs } from "../../volumes/record-stream-jobs.ts";
import { definePayload } from "./define-payload.ts";
import { loadMovingVms } from "./move-targets.ts";
import { releaseMoveTarget } from "./reserve-move-target.ts";

/** The parent Job of a stopped VM's move to another host with its local disks. */
export const COLD_MOVE_JOB = "vm.cold-move";

/** The jobs that are steps of a cold move (their parent is a `vm.cold-move` Job). */
export const COLD_MOVE_STEPS: ReadonlySet<string> = new Set(["volume.migrate", "vm.define", "vm.undefine"]);

interface TStep {
  id: string;
  kind: string;
  state: string;
  errorMessage: string | null;
  result: Prisma.JsonValue;
  request: Prisma.JsonValue;
}

/**
 * Moves a cold move one step on, under a lock of its own (a finished step and the controller's
 * round may both call it): copy the next local disk (the storage-migration stream, the source
 * kept), then define the VM on the target with the copies, then (settleVmMove) undefine it on the
 * source, then delete the source copies. A failed copy or define rolls back: the copies already
 * made are deleted from the target pool, the target's reservation is given back, the VM is Stopped
 * on its source, intact and authoritative, and the parent Job fails with the retry command.
 * Returns the parent's own parent (host maintenance) once the move ended, so it can move on.
 */
export async function advanceColdMove(deps: CoreDeps, parentId: string): Promise<{ ended: boolean; parentJobId: string | null }> {
  const followUps: Job[] = [];
  const outcome = await deps.db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${parentId}))) AS l`;
      const parent = await tx.job.findUnique({ where: { id: parentId }, select: { id: true, kind: true, state: true, request: true, parentJobId: true, actorId: true } });
      const move = parent?.kind === COLD_MOVE_JOB && parent.state === "Running" ? readJobRequest(COLD_MOVE_JOB, parent).coldMove : null;
      if (!parent || !move) return { ended: false, parentJobId: null };
      const steps: TStep[] = await tx.job.findMany({
        where: { parentJobId: parentId },
        select: { id: true, kind: true, state: true, errorMessage: true, result: true, request: true },
        orderBy: { createdAt: "asc" },
      });
      if (steps.some((s) => s.kind !== "volume.delete" && (s.state === "Queued" || s.state === "Running"))) return { ended: false, parentJobId: null };
      const ended = await nextStep(tx, deps, { id: parent.id, actorId: parent.actorId }, move, steps, followUps);
      return { ended, parentJobId: ended ? parent.parentJobId : null };
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
  for (const job of followUps) await dispatchJob(deps, job);
  return outcome;
}

/** Records what comes next (in `followUps`, to dispatch after the commit); true once the move ended. */
export async function nextStep(tx: Tx, deps: CoreDeps, parent: { id: string; actorId: string | null }, move: TColdMove, steps: TStep[], followUps: Job[]): Promise<boolean> {
  const copies = steps.filter((s) => s.kind === "volume.migrate");
  const copied = copies.filter((s) => s.state === "Succeeded").map((s) => ({ volumeId: readJobRequest("volume.migrate", s).coldMoveCopy?.volumeId ?? "", path: resultPath(s.result) }));
  const failedCopy = copies.find((s) => s.state === "Failed" || s.state === "Cancelled");
  const define = steps.find((s) => s.kind === "vm.define");
  const undefine = steps.find((s) => s.kind === "vm.undefine");
  const actor: TActor = SYSTEM_ACTOR;

  if (failedCopy || (define && define.state !== "Succeeded")) {
    const failed = failedCopy ?? define;
    const why = failed?.errorMessage ?? "no reason given";
    if (failedCopy) {
      // A failed define was settled by settleVmMove (reservation back, VM Stopped); a copy was not.
      const vm = await tx.vm.findUnique({ where: { id: move.vmId }, select: { vcpus: true, memoryMiB: true } });
      if (vm) await releaseMoveTarget(tx, move.move, vm);
      await tx.vm.updateMany({ where: { id: move.vmId, activeJobId: parent.id }, data: { state: "Stopped", activeJobId: null, stateReason: `moving to ${move.target.name} failed: ${why}` } });
      const receive = await tx.job.findFirst({ where: { parentJobId: failedCopy.id, kind: "volume.migrate-receive" }, select: { id: true } });
      if (receive) await deps.queues.requestCancel(move.target.id, receive.id).catch(() => undefined);
    }
    followUps.push(...(await deleteCopies(tx, deps, parent, move, copied.map((c) => c.volumeId), "target")));
    const cleaned = copied.length > 0 ? ` The ${copied.length} disk cop${copied.length > 1 ? "ies" : "y"} already made on ${move.target.name} ${copied.length > 1 ? "are" : "is"} being deleted from pool ${move.target.pool}.` : "";
    const message = `Moving VM ${move.vmName} from ${move.source.name} to ${move.target.name} failed: ${why}. The VM is Stopped on ${move.source.name}, intact, with its disks where they were.${cleaned} Retry with '${move.retry}'.`;
    await finish(tx, deps, parent.id, move, { state: "Failed", errorCode: "MOVE_FAILED", errorMessage: message });
    return true;
  }
  if (undefine) {
    // The VM belongs to the target now: the source copies go, unless the old definition stayed.
    if (undefine.state === "Succeeded") followUps.push(...(await deleteCopies(tx, deps, parent, move, move.volumes.map((v) => v.id), "source")));
    const note = undefine.state === "Succeeded" ? "" : ` Its old definition on ${move.source.name} could not be removed (${undefine.errorMessage ?? "no reason given"}), so its old disks there were kept.`;
    await finish(tx, deps, parent.id, move, { state: "Succeeded", progress: 100, step: `moved to ${move.target.name}${note ? " (old definition kept)" : ""}`, errorMessage: note ? note.trim() : null });
    return true;
  }
  if (define) return false; // Succeeded: settleVmMove has queued the undefine.
  const next = move.volumes[copied.length];
  if (next) {
    const storage = await readStorageSettings(tx);
    const jobs = await recordStreamJobs(tx, deps, actor, {
      volume: next,
      source: { host: move.source, pool: next.fromPool },
      destination: { host: move.target, pool: move.target.poolLibvirtName },
      bandwidthMiBps: storage.migrationBandwidthMiBps,
      send: { keepSource: true },
      request: ({ receiveJobId }) => ({ coldMoveCopy: { volumeId: next.id, receiveJobId } }),
      parentJobId: parent.id,
    });
    followUps.push(jobs.receive, jobs.send);
    const total = move.volumes.length;
    await tx.job.update({ where: { id: parent.id }, data: { progress: Math.floor((copied.length / (total + 1)) * 100), step: `copying disk ${next.name} (${copied.length + 1} of ${total}, ${next.sizeGiB} GiB) to pool ${move.target.pool} on ${move.target.name}` } });
    return false;
  }
  followUps.push(await recordDefine(tx, deps, parent, move, copied));
  return false;
}

/** The vm.define on the target, with the copies in the target pool; the VM is held by it. */
async function recordDefine(tx: Tx, deps: CoreDeps, parent: { id: string; actorId: string | null }, move: TColdMove, copied: { volumeId: string; path: string | null }[]): Promise<Job> {
  const [vm] = await loadMovingVms(tx, { id: move.vmId });
  if (!vm) throw new CarveError("INVALID_STATE", `VM ${move.vmName} is gone; it cannot be defined on ${move.target.name}.`);
  const moved = new Set(move.volumes.map((v) => v.id));
  const rootMoved = vm.volumes.some((v) => v.kind === "Root" && moved.has(v.id));
  const payload = definePayload(vm, (v) => (moved.has(v.id) ? move.target.poolLibvirtName : v.pool.libvirtName), rootMoved ? (move.rebaseOnto ?? undefined) : undefined);
  const diskPaths = copied.flatMap((c) => (c.path ? [{ volumeId: c.volumeId, path: c.path }] : []));
  const id = randomUUID();
  const job = await tx.job.create({
    data: {
      id,
      kind: "vm.define",
      actorId: parent.actorId,
      vmId: vm.id,
      hostId: move.target.id,
      parentJobId: parent.id,
      request: jobRequest("vm.define", { payload, previousState: "Stopped", move: { ...move.move, diskPaths } }),
      createdAt: deps.now(),
    },
  });
  // settleVmMove settles the define (and queues the undefine) only for the job holding the VM.
  await tx.vm.update({ where: { id: vm.id }, data: { activeJobId: id } });
  await tx.job.update({ where: { id: parent.id }, data: { progress: Math.floor((move.volumes.length / (move.volumes.length + 1)) * 100), step: `every disk copied and verified; defining ${vm.name} on ${move.target.name}` } });
  return job;
}

/** volume.delete jobs (children of the move) for copies on the target, or the old files on the source. */
async function deleteCopies(tx: Tx, deps: CoreDeps, parent: { id: string; actorId: string | null }, move: TColdMove, volumeIds: string[], where: "source" | "target"): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const volume of move.volumes.filter((v) => volumeIds.includes(v.id))) {
    const [hostId, pool] = where === "target" ? [move.target.id, move.target.poolLibvirtName] : [move.source.id, volume.fromPool];
    const payload: TJobPayload<"volume.delete"> = { volumeId: volume.id, pool, name: volume.libvirtName };
    // No volume record in the request: the volume row is not changed by deleting a leftover copy.
    jobs.push(await tx.job.create({ data: { kind: "volume.delete", actorId: parent.actorId, hostId, parentJobId: parent.id, request: jobRequest("volume.delete", { payload, leftover: where }), createdAt: deps.now() } }));
  }
  return jobs;
}

async function finish(
  tx: Tx,
  deps: CoreDeps,
  parentId: string,
  move: TColdMove,
  data: { state: "Failed"; errorCode: string; errorMessage: string } | { state: "Succeeded"; progress: number; step: string; errorMessage: string | null },
): Promise<void> {
  await tx.job.update({ where: { id: parentId }, data: { ...data, finishedAt: deps.now() } });
  await recordEvent(tx, {
    type: data.state === "Succeeded" ? "vm.moved" : "vm.migration",
    actor: SYSTEM_ACTOR,
    vmId: move.vmId,
    hostId: data.state === "Succeeded" ? move.target.id : move.source.id,
    jobId: parentId,
    message: data.state === "Succeeded" ? `${move.vmName} moved cold from ${move.source.name} to ${move.target.name} with ${move.volumes.length} local disk(s)` : data.errorMessage,
  });
}

function resultPath(result: Prisma.JsonValue): string | null {
  return result && typeof result === "object" && !Array.isArray(result) && typeof result["path"] === "string" ? result["path"] : null;
}
