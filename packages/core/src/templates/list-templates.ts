import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";

/**
 * Every template that is not deleted, whatever its state (a downloading or failed one is shown with
 * its progress or reason, not hidden), with its copies in pools. A copy being made shows its job's
 * progress. `format` is null while it is not known (a download not yet examined, or refused).
 */
export async function listTemplates(deps: CoreDeps, _actor: TActor) {
  const templates = await deps.db.template.findMany({
    where: { state: { not: "Deleted" } },
    select: {
      id: true,
      name: true,
      description: true,
      state: true,
      stateReason: true,
      progress: true,
      format: true,
      minDiskGiB: true,
      sourceUrl: true,
      sizeBytes: true,
      virtualSizeBytes: true,
      sha256: true,
      supportsPasswordReset: true,
      supportsCloudInit: true,
      loginUser: true,
      createdAt: true,
      storedPath: true,
      copies: { select: { state: true, stateReason: true, progress: true, volumeName: true, jobId: true, pool: { select: { name: true } } }, orderBy: { createdAt: "asc" } },
    },
    orderBy: { name: "asc" },
  });
  const copyJobIds = templates.flatMap((t) => t.copies.flatMap((c) => (c.state === "Copying" && c.jobId !== null ? [c.jobId] : [])));
  const jobs = copyJobIds.length > 0 ? await deps.db.job.findMany({ where: { id: { in: copyJobIds } }, select: { id: true, progress: true } }) : [];
  const progressOf = new Map(jobs.map((j) => [j.id, j.progress]));
  return templates.map(({ copies, storedPath, ...template }) => ({
    ...template,
    format: examinedFormat({ ...template, storedPath }),
    copies: copies.map(({ pool, jobId, ...copy }) => ({
      ...copy,
      pool: pool.name,
      progress: copy.state === "Copying" && jobId !== null ? (progressOf.get(jobId) ?? copy.progress) : copy.progress,
    })),
  }));
}

/**
 * A template's format as users see it: one registered by URL has a format once its download was
 * examined; before that (or when the image was refused) the column's default would claim qcow2.
 */
export function examinedFormat(template: { sourceUrl: string | null; storedPath: string | null; format: string }): string | null {
  return template.sourceUrl !== null && template.storedPath === null ? null : template.format;
}
