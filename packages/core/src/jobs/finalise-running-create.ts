import { JOBS } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";

/**
 * The most common outcome, finalised in ONE statement: a vm.create (not a step of a larger job)
 * whose agent reports the VM running. It does what finaliseJob's general path does for it (claims
 * the Job as Succeeded with its result, sets the VM Running and clears its active job when the job
 * is still the VM's, attaches its root volume at the reported path and its allocated data volumes,
 * records the state event) in one round trip instead of seven statements in a transaction: the
 * controller's share of a create was mostly Prisma's client (see the README's bench section).
 * Returns the job's duration, or null when this path does not apply (another kind of job or
 * outcome, or already finalised): the caller then takes the general path, which decides.
 */
export async function finaliseRunningCreate(deps: Pick<CoreDeps, "db" | "now">, jobId: string, result: unknown): Promise<{ durationMs: number } | null> {
  const parsed = JOBS["vm.create"].result.safeParse(result);
  if (!parsed.success || parsed.data.state !== "running") return null;
  const now = deps.now();
  const resultJson = JSON.stringify(parsed.data);
  const rows = await deps.db.$queryRaw<{ createdAt: Date }[]>`
    WITH job AS (
      UPDATE "Job" SET state = 'Succeeded', progress = 100, step = 'done', result = ${resultJson}::jsonb, "finishedAt" = ${now}
      WHERE id = ${jobId}::uuid AND kind = 'vm.create' AND state IN ('Queued', 'Running') AND "parentJobId" IS NULL
      RETURNING id, "vmId", "createdAt"
    ), vm AS (
      SELECT v.id, v.name, v.state, v."hostId" FROM "Vm" v JOIN job ON v.id = job."vmId" AND v."activeJobId" = job.id
    ), settled AS (
      UPDATE "Vm" SET state = 'Running', "stateReason" = NULL, "activeJobId" = NULL, "updatedAt" = ${now}
      FROM vm WHERE "Vm".id = vm.id AND "Vm"."activeJobId" = ${jobId}::uuid
      RETURNING "Vm".id
    ), volumes AS (
      UPDATE "Volume" SET state = 'Attached', path = CASE WHEN "Volume".kind = 'Root' THEN ${parsed.data.rootVolumePath} ELSE "Volume".path END, "updatedAt" = ${now}
      FROM settled WHERE "Volume"."vmId" = settled.id AND ("Volume".kind = 'Root' OR "Volume".state = 'Allocating')
    ), event AS (
      INSERT INTO "Event" (at, type, "vmId", "hostId", "jobId", "fromState", "toState", message)
      SELECT ${now}, 'vm.state', vm.id, vm."hostId", ${jobId}::uuid, vm.state::text, 'Running', vm.name || ' is Running'
      FROM vm JOIN settled ON settled.id = vm.id
    )
    SELECT "createdAt" FROM job`;
  const job = rows[0];
  return job ? { durationMs: now.getTime() - job.createdAt.getTime() } : null;
}
