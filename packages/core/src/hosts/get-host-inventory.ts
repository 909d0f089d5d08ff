import { ZInventoryResult, type TJobResult } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { getJob } from "../jobs/get-job.ts";
import { parseInput } from "../validation/parse-input.ts";

export const ZHostInventoryInput = z.strictObject({ job: z.uuid("must be a job id (a UUID)") });

/**
 * What a host's agent reported for an inventory job (`host inspect`): its node, domains, pools and
 * volumes (admins only). Refused while the job has not succeeded: follow it first.
 */
export async function getHostInventory(deps: CoreDeps, actor: TActor, input: unknown): Promise<TJobResult<"host.inventory">> {
  requireAdmin(actor, "inspect hosts");
  const { job: jobId } = parseInput(ZHostInventoryInput, input);
  const job = await getJob(deps, actor, jobId);
  if (job.kind !== "host.inventory") {
    throw new CarveError("INVALID_INPUT", `Invalid input. job: job ${job.id} is a ${job.kind} job, not a host inventory ('carve host inspect HOST' starts one)`, {
      fields: [{ field: "job", message: "is not a host inventory job" }],
    });
  }
  const inventory = job.state === "Succeeded" ? ZInventoryResult.safeParse(job.result) : null;
  if (!inventory?.success) {
    throw new CarveError("INVALID_STATE", `Inventory job ${job.id} is ${job.state}${job.errorMessage ? ` (${job.errorMessage})` : ""}: there is no inventory to show. Wait for it with 'carve job show ${job.id}', or inspect the host again.`);
  }
  return inventory.data;
}
