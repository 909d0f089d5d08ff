import { randomUUID } from "node:crypto";
import type { Prisma, TemplateCopy } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { isUuid } from "../validation/is-uuid.ts";
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
 * Makes sure a Ready template has a copy in a pool (admins, and placement later): a Ready copy or
 * one being made is returned as it is; otherwise the copy is recorded Copying and a template.copy
 * job goes to an Up host that sees the pool. The controller marks the copy Ready or Error when the
 * job ends.
 */
export async function ensureTemplateCopy(deps: CoreDeps, actor: TActor, input: unknown): Promise<TEnsuredCopy> {
  requireAdmin(actor, "copy templates to pools");
  const data = parseInput(ZEnsureTemplateCopyInput, input);
  const template = await resolveTemplate(deps.db, data.template);
  const { storedPath, sha256 } = template;
  if (storedPath === null || sha256 === null) {
    throw new CarveError("TEMPLATE_NOT_READY", `Template ${template.name} has no downloaded image to copy (it was added from a volume already in a pool); register it by URL to copy it to other pools.`, {
      fields: [{ field: "template", message: "has no image in the template store" }],
    });
  }
  const ensured = await deps.db.$transaction(async (tx) => {
    const pool = await tx.storagePool.findFirst({
      where: isUuid(data.pool) ? { id: data.pool } : { name: data.pool },
      include: { hosts: { where: { host: { state: "Up" } }, select: { hostId: true }, orderBy: { hostId: "asc" }, take: 1 } },
    });
    if (!pool) {
      throw new CarveError("POOL_NOT_FOUND", `No storage pool '${data.pool}'. See the pools with 'pool list'.`, {
        fields: [{ field: "pool", message: `'${data.pool}' is not a registered pool` }],
      });
    }
    // Serialises concurrent requests for the same template on its row.
    await tx.$executeRaw`SELECT 1 FROM "Template" WHERE id = ${template.id}::uuid FOR UPDATE`;
    const existing = await tx.templateCopy.findUnique({ where: { templateId_poolId: { templateId: template.id, poolId: pool.id } } });
    if (existing?.state === "Ready" || existing?.state === "Copying") return { copy: existing, job: null };
    const hostId = pool.hosts[0]?.hostId;
    if (hostId === undefined) {
      throw new CarveError("INVALID_STATE", `No host that sees pool ${pool.name} is Up, so no agent can copy ${template.name} there; try again once one is ('host list').`);
    }
    const volume = `template-${template.id}.${template.format}`;
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
        request: { payload, templateId: template.id, poolId: pool.id } as Prisma.InputJsonValue,
      },
    });
    const copy = await tx.templateCopy.upsert({
      where: { templateId_poolId: { templateId: template.id, poolId: pool.id } },
      create: { templateId: template.id, poolId: pool.id, volumeName: volume, state: "Copying", progress: 0, jobId: job.id },
      update: { volumeName: volume, state: "Copying", stateReason: null, progress: 0, jobId: job.id },
    });
    await recordEvent(tx, { type: "template.copy", actor, hostId, jobId: job.id, message: `copying template ${template.name} to pool ${pool.name}` });
    return { copy, job };
  });
  if (ensured.job) await dispatchJob(deps, ensured.job);
  return { copy: ensured.copy, jobId: ensured.job?.id ?? ensured.copy.jobId };
}
