import { randomUUID } from "node:crypto";
import type { Job } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { resolveHost } from "./resolve-host.ts";

/**
 * Asks a host's agent what libvirt really has (node, domains, pools and volumes). Returns the job;
 * its result is the inventory once the agent answers.
 */
export async function inspectHost(deps: CoreDeps, actor: TActor, ref: string): Promise<Job> {
  requireAdmin(actor, "inspect hosts");
  const host = await resolveHost(deps.db, ref);
  const job = await deps.db.$transaction(async (tx) => {
    const created = await tx.job.create({
      data: { id: randomUUID(), kind: "host.inventory", actorId: actorId(actor), hostId: host.id, request: { payload: {} } },
    });
    await recordEvent(tx, { type: "host.inspect", actor, hostId: host.id, jobId: created.id, message: `inventory of ${host.name} requested` });
    return created;
  });
  await dispatchJob(deps, job);
  return job;
}
