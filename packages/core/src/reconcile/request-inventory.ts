import { randomUUID } from "node:crypto";
import type { Job } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { actorId, SYSTEM_ACTOR } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";

/**
 * Asks a host's agent for its inventory as the system (the controller), so that reconciliation can
 * compare it with the database when the job finalises. At most one is in flight per host: while
 * one waits (a slow or silent host), asking again would only pile up jobs. Returns the new job, or
 * null when one was already in flight.
 */
export async function requestInventory(deps: CoreDeps, hostId: string, reason: "periodic" | "host-up"): Promise<Job | null> {
  const job = await deps.db.$transaction(async (tx) => {
    // Serialises concurrent controllers on the host row, so two never both ask.
    await tx.$executeRaw`SELECT 1 FROM "Host" WHERE id = ${hostId}::uuid FOR UPDATE`;
    const inFlight = await tx.job.count({ where: { hostId, kind: "host.inventory", state: { in: ["Queued", "Running"] } } });
    if (inFlight > 0) return null;
    return tx.job.create({
      data: { id: randomUUID(), kind: "host.inventory", actorId: actorId(SYSTEM_ACTOR), hostId, createdAt: deps.now(), request: { payload: {}, purpose: "reconcile", reason } },
    });
  });
  if (job) await dispatchJob(deps, job);
  return job;
}
