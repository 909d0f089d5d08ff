import type { Db } from "@carve/db";
import { JOBS } from "@carve/protocol";
import { Batcher, batcherOf, type TBatchOutcome } from "../batching/batcher.ts";
import type { CoreDeps } from "../context.ts";
import { isUuid } from "../validation/is-uuid.ts";

/** A create's report, with when this process received it (its caller's clock). */
type TReport = { jobId: string; result: string; rootVolumePath: string; receivedAt: Date };

/** Reports finalised together at most: one statement's worth under a burst of completions. */
const MAX_BATCH = 100;

/**
 * The most common outcome, finalised in ONE statement shared with the creates finishing at the same
 * time: a vm.create (not a step of a larger job) whose agent reports the VM running. It does what
 * finaliseJob's general path does for it (claims the Job as Succeeded with its result, sets the VM
 * Running and clears its active job when the job is still the VM's, attaches its root volume at the
 * reported path and its allocated data volumes, records the state event) in one round trip for a
 * whole burst instead of seven statements per VM: the controller's share of a create was mostly
 * Prisma's client (see docs/performance.md). Returns the job's duration, or null when this
 * path does not apply (another kind of job or outcome, or already finalised): the caller then takes
 * the general path, which decides.
 */
export async function finaliseRunningCreate(deps: Pick<CoreDeps, "db" | "now">, jobId: string, result: unknown): Promise<{ durationMs: number } | null> {
  const parsed = JOBS["vm.create"].result.safeParse(result);
  if (!parsed.success || parsed.data.state !== "running" || !isUuid(jobId)) return null;
  const db = deps.db;
  const batcher = batcherOf(db, "finalise-running-create", () => new Batcher((reports: TReport[]) => finaliseAll(db, reports), { maxBatch: MAX_BATCH }));
  return batcher.submit({ jobId, result: JSON.stringify(parsed.data), rootVolumePath: parsed.data.rootVolumePath, receivedAt: deps.now() });
}

async function finaliseAll(db: Db, reports: TReport[]): Promise<TBatchOutcome<{ durationMs: number } | null>[]> {
  // The batch's reports arrived within moments of each other: the first one's time stands for all.
  const now = reports[0]?.receivedAt ?? new Date();
  const input = JSON.stringify(reports.map(({ jobId, result, rootVolumePath }) => ({ jobId, result, rootVolumePath })));
  const rows = await db.$queryRaw<{ id: string; createdAt: Date }[]>`
    WITH report AS (
      SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS r("jobId" uuid, result text, "rootVolumePath" text)
    ), job AS (
      UPDATE "Job" j SET state = 'Succeeded', progress = 100, step = 'done', result = report.result::jsonb, "finishedAt" = ${now},
                         "startedAt" = COALESCE(j."startedAt", ${now})
      FROM report
      WHERE j.id = report."jobId" AND j.kind = 'vm.create' AND j.state IN ('Queued', 'Running') AND j."parentJobId" IS NULL
      RETURNING j.id, j."vmId", j."createdAt", report."rootVolumePath"
    ), vm AS (
      SELECT v.id, v.name, v.state, v."hostId", job.id AS "jobId", job."rootVolumePath"
      FROM "Vm" v JOIN job ON v.id = job."vmId" AND v."activeJobId" = job.id
    ), settled AS (
      UPDATE "Vm" SET state = 'Running', "stateReason" = NULL, "activeJobId" = NULL, "updatedAt" = ${now}
      FROM vm WHERE "Vm".id = vm.id AND "Vm"."activeJobId" = vm."jobId"
      RETURNING "Vm".id
    ), volumes AS (
      UPDATE "Volume" SET state = 'Attached', path = CASE WHEN "Volume".kind = 'Root' THEN vm."rootVolumePath" ELSE "Volume".path END, "updatedAt" = ${now}
      FROM settled JOIN vm ON vm.id = settled.id
      WHERE "Volume"."vmId" = settled.id AND ("Volume".kind = 'Root' OR "Volume".state = 'Allocating')
    ), event AS (
      INSERT INTO "Event" (at, type, "vmId", "hostId", "jobId", "fromState", "toState", message)
      SELECT ${now}, 'vm.state', vm.id, vm."hostId", vm."jobId", vm.state::text, 'Running', vm.name || ' is Running'
      FROM vm JOIN settled ON settled.id = vm.id
    )
    SELECT id::text, "createdAt" FROM job`;
  const createdAt = new Map(rows.map((row) => [row.id, row.createdAt]));
  return reports.map((report) => {
    const at = createdAt.get(report.jobId);
    // A report delivered twice in one batch (listener and sweep) finalised the job once: only the first says so.
    createdAt.delete(report.jobId);
    return { ok: true, value: at ? { durationMs: now.getTime() - at.getTime() } : null };
  });
}
