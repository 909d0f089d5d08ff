import { ZJobProgress } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { copyingStep } from "../vms/stage-create-copy.ts";

/**
 * Records an agent's progress report on the Job row (and marks a queued job Running), in one
 * statement; a template copy's progress is also that of the creates waiting for it (issue 19).
 */
export async function recordJobProgress(deps: CoreDeps, jobId: string, progress: unknown): Promise<void> {
  const parsed = ZJobProgress.safeParse(progress);
  if (!parsed.success) return;
  const percent = Math.round(parsed.data.percent);
  await deps.db.$executeRaw`
    WITH reported AS (
      UPDATE "Job"
         SET state = 'Running', progress = ${percent}, step = ${parsed.data.step},
             "startedAt" = COALESCE("startedAt", ${deps.now()})
       WHERE id = ${jobId}::uuid AND state IN ('Queued', 'Running')
      RETURNING kind)
    UPDATE "Job" w SET progress = ${percent}, step = ${copyingStep(percent)}
      FROM reported
     WHERE reported.kind = 'template.copy' AND w.kind = 'vm.create' AND w.state = 'Queued' AND w."hostId" IS NULL
       AND w.request -> 'awaitsCopy' ->> 'jobId' = ${jobId}`;
}
