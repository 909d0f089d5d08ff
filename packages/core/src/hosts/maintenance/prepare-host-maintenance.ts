import { randomUUID } from "node:crypto";
import type { Job } from "@carve/db";
import type { CoreDeps } from "../../context.ts";
import { CarveError } from "../../errors/index.ts";
import { recordEvent } from "../../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../../identity/actor.ts";
import { jobRequest, type TMaintenanceRequest } from "../../jobs/job-request.ts";
import { parseInput } from "../../validation/parse-input.ts";
import { advanceHostMaintenance, MAINTENANCE_JOB } from "./advance-host-maintenance.ts";
import { computeMaintenancePlan, ZHostRefInput, type TMaintenancePlan } from "./plan-host-maintenance.ts";
import { resolveHost } from "../resolve-host.ts";

/**
 * Starts a host's maintenance (admins only): the host goes PrepareForMaintenance, so placement
 * puts nothing new on it, and a `host.maintenance` Job moves its VMs away one by one (running ones
 * live-migrate, stopped ones move cold), each move a step of that Job. When every VM has left, the
 * host is in Maintenance; a move that fails stops there with the reason, the host staying in
 * PrepareForMaintenance (start again to retry, or cancel). Returns the Job and the plan it follows.
 */
export async function prepareHostMaintenance(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ job: Job; plan: TMaintenancePlan }> {
  requireAdmin(actor, "put hosts into maintenance");
  const { host: ref } = parseInput(ZHostRefInput, input);
  const jobId = randomUUID();
  const { plan } = await deps.db.$transaction(async (tx) => {
    const host = await resolveHost(tx, ref);
    // Serialises two admins starting the same host's maintenance.
    await tx.$executeRaw`SELECT 1 FROM "Host" WHERE id = ${host.id}::uuid FOR UPDATE`;
    if (host.state === "Maintenance") {
      throw new CarveError("INVALID_STATE", `Host ${host.name} is already in Maintenance. Return it to service with 'carve host maintenance cancel ${host.name}'.`);
    }
    if (host.state !== "Up" && host.state !== "PrepareForMaintenance") {
      throw new CarveError("INVALID_STATE", `Host ${host.name} is ${host.state}: its VMs can only be moved away while its agent answers. Bring the agent back (carve-agent doctor on the host), then try again.`);
    }
    const running = await tx.job.findFirst({ where: { kind: MAINTENANCE_JOB, state: "Running", request: { path: ["hostId"], equals: host.id } }, select: { id: true } });
    if (running) throw new CarveError("INVALID_STATE", `Host ${host.name} is already being prepared for maintenance (job ${running.id}). Watch it with 'carve job get ${running.id}', or cancel it.`, { details: { jobId: running.id } });
    const plan = await computeMaintenancePlan(tx, { id: host.id, name: host.name, state: "PrepareForMaintenance" });
    await tx.host.update({ where: { id: host.id }, data: { state: "PrepareForMaintenance" } });
    const request: TMaintenanceRequest = { hostId: host.id, hostName: host.name, total: plan.moves.length };
    await tx.job.create({
      data: {
        id: jobId,
        kind: MAINTENANCE_JOB,
        state: "Running",
        actorId: actorId(actor),
        // Not on the host's queue: the controller drives it (a null hostId keeps the queue sweep away).
        hostId: null,
        request: jobRequest(MAINTENANCE_JOB, { ...request, plan: plan.moves.map((m) => ({ vm: m.vm.name, kind: m.kind, target: m.target?.name ?? null, blocker: m.blocker })) }),
        step: plan.moves.length === 0 ? "no VMs to move" : `moving ${plan.moves.length} VMs away`,
        createdAt: deps.now(),
        startedAt: deps.now(),
      },
    });
    if (host.state !== "PrepareForMaintenance") {
      await recordEvent(tx, {
        type: "host.state",
        actor,
        hostId: host.id,
        jobId,
        fromState: host.state,
        toState: "PrepareForMaintenance",
        message: `host ${host.name} is being prepared for maintenance: ${plan.message}`,
      });
    }
    return { plan };
  });
  await advanceHostMaintenance(deps, { parentJobId: jobId });
  const job = await deps.db.job.findUniqueOrThrow({ where: { id: jobId } });
  return { job, plan };
}
