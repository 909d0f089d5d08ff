import { ZJobProgress } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";

/** Records an agent's progress report on the Job row (and marks a queued job Running), in one statement. */
export async function recordJobProgress(deps: CoreDeps, jobId: string, progress: unknown): Promise<void> {
  const parsed = ZJobProgress.safeParse(progress);
  if (!parsed.success) return;
  await deps.db.$executeRaw`
    UPDATE "Job"
       SET state = 'Running', progress = ${Math.round(parsed.data.percent)}, step = ${parsed.data.step},
           "startedAt" = COALESCE("startedAt", ${deps.now()})
     WHERE id = ${jobId}::uuid AND state IN ('Queued', 'Running')`;
}
