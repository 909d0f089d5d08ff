import { randomUUID } from "node:crypto";
import type { Job, StoragePool, Template, TemplateCopy, Tx } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { jobRequest } from "../jobs/job-request.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { resolveLivePool } from "../pools/resolve-live-pool.ts";
import { parseInput } from "../validation/parse-input.ts";
import { resolveTemplate } from "./resolve-template.ts";

export const ZEnsureTemplateCopyInput = z.strictObject({
  template: z.string({ error: "is required: a template name or id" }).min(1, "is required: a template name or id").max(200),
  pool: z.string({ error: "is required: a pool name or id" }).min(1, "is required: a pool name or id").max(200),
});

/** The copy, and the job making it (null when the copy was already there or already on its way). */
export interface TEnsuredCopy {
  copy: TemplateCopy;
  jobId: string | null;
}

/**
 * Makes sure a Ready template has a copy in a pool (admins; creates stage theirs with
 * stageTemplateCopy): a Ready copy or one being made is returned as it is; otherwise (none, Error,
 * or Missing: the pool's storage lost it) the copy is recorded Copying and a template.copy job goes
 * to an Up host that sees the pool. The controller marks the copy Ready or Error when the job ends.
 * A Removed pool is refused with the reason.
 */
export async function ensureTemplateCopy(deps: CoreDeps, actor: TActor, input: unknown): Promise<TEnsuredCopy> {
  requireAdmin(actor, "copy templates to pools");
  const data = parseInput(ZEnsureTemplateCopyInput, input);
  const template = await resolveTemplate(deps.db, data.template);
  const ensured = await deps.db.$transaction(async (tx) => {
    const pool = await resolveLivePool(tx, data.pool);
    const host = await tx.poolHost.findFirst({ where: { poolId: pool.id, host: { state: "Up" } }, select: { hostId: true }, orderBy: { hostId: "asc" } });
    return stageTemplateCopy(tx, deps, actor, template, pool, host?.hostId ?? null);
  });
  if (ensured.job) await dispatchJob(deps, ensured.job);
  return { copy: ensured.copy, jobId: ensured.job?.id ?? ensured.copy.jobId };
}

/** The template.copy volume's name in every pool. */
export function templateVolumeName(template: Pick<Template, "id" | "format">): string {
  return `template-${template.id}.${template.format}`;
}

/**
 * In the caller's transaction: the template's copy in the pool, and the template.copy job to send
 * to `hostId` after the commit when a copy had to be started (null when it is Ready or already on
 * its way: never two copies of one template into one pool). The copy's row stays locked until the
 * commit, so the job's outcome cannot be settled in between (a create waiting for it is seen).
 * @throws CarveError TEMPLATE_NOT_READY (no image to copy), INVALID_STATE (no Up host sees the pool)
 */
export async function stageTemplateCopy(
  tx: Tx,
  deps: CoreDeps,
  actor: TActor,
  template: Pick<Template, "id" | "name" | "format" | "sizeBytes" | "virtualSizeBytes" | "storedPath" | "sha256">,
  pool: Pick<StoragePool, "id" | "name" | "libvirtName">,
  hostId: string | null,
): Promise<{ copy: TemplateCopy; job: Job | null }> {
  const { storedPath, sha256 } = template;
  if (storedPath === null || sha256 === null) {
    throw new CarveError("TEMPLATE_NOT_READY", `Template ${template.name} has no downloaded image to copy (it was added from a volume already in a pool); register it by URL to copy it to other pools.`, {
      fields: [{ field: "template", message: "has no image in the template store" }],
    });
  }
  // Serialises concurrent requests for the same template on its row, then holds the copy's row.
  await tx.$executeRaw`SELECT 1 FROM "Template" WHERE id = ${template.id}::uuid FOR UPDATE`;
  await tx.$executeRaw`SELECT 1 FROM "TemplateCopy" WHERE "templateId" = ${template.id}::uuid AND "poolId" = ${pool.id}::uuid FOR UPDATE`;
  const existing = await tx.templateCopy.findUnique({ where: { templateId_poolId: { templateId: template.id, poolId: pool.id } } });
  if (existing?.state === "Ready" || existing?.state === "Copying") return { copy: existing, job: null };
  if (hostId === null) {
    throw new CarveError("INVALID_STATE", `No host that sees pool ${pool.name} is Up, so no agent can copy ${template.name} there; try again once one is ('host list').`);
  }
  const volume = templateVolumeName(template);
  const payload: TJobPayload<"template.copy"> = {
    templateId: template.id,
    pool: pool.libvirtName,
    volume,
    format: template.format,
    sizeBytes: Number(template.sizeBytes),
    capacityBytes: Number(template.virtualSizeBytes),
    sha256,
    source: { path: storedPath },
  };
  const job = await tx.job.create({
    data: {
      id: randomUUID(),
      kind: "template.copy",
      actorId: actorId(actor),
      hostId,
      createdAt: deps.now(),
      request: jobRequest("template.copy", { payload, templateId: template.id, poolId: pool.id }),
    },
  });
  const copy = await tx.templateCopy.upsert({
    where: { templateId_poolId: { templateId: template.id, poolId: pool.id } },
    create: { templateId: template.id, poolId: pool.id, volumeName: volume, state: "Copying", progress: 0, jobId: job.id },
    update: { volumeName: volume, state: "Copying", stateReason: null, progress: 0, jobId: job.id },
  });
  await recordEvent(tx, { type: "template.copy", actor, hostId, jobId: job.id, message: `copying template ${template.name} to pool ${pool.name}` });
  return { copy, job };
}
