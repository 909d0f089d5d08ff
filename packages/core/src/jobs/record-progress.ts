import { ZJobProgress } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";

/** Records an agent's progress report on the Job row (and marks a queued job Running). */
export async function recordJobProgress(deps: CoreDeps, jobId: string, progress: unknown): Promise<void> {
  const parsed = ZJobProgress.safeParse(progress);
  if (!parsed.success) return;
  const now = deps.now();
  await deps.db.job.updateMany({
    where: { id: jobId, state: { in: ["Queued", "Running"] } },
    data: { state: "Running", progress: Math.round(parsed.data.percent), step: parsed.data.step },
  });
  await deps.db.job.updateMany({ where: { id: jobId, startedAt: null }, data: { startedAt: now } });
}
