import type { DiskOffering } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZDescription, ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";

const ZGiB = z.number({ error: "must be a whole number of GiB" }).int("must be a whole number of GiB").min(1, "must be at least 1 GiB").max(65536, "must be at most 64 TiB");

export const ZCreateDiskOfferingInput = z
  .strictObject({
    name: ZObjectName,
    description: ZDescription.optional(),
    /** A fixed size; leave it out for a custom size the user picks between minSizeGiB and maxSizeGiB. */
    sizeGiB: ZGiB.optional(),
    minSizeGiB: ZGiB.optional(),
    maxSizeGiB: ZGiB.optional(),
    // A value of another type says which it was, as every other field's wrong type does.
    scope: z.enum(["Local", "Shared"], { error: "must be Local or Shared" }).default("Shared"),
    storageTags: z.array(ZObjectName).max(32).default([]),
  })
  .superRefine((d, ctx) => {
    if (d.sizeGiB !== undefined && (d.minSizeGiB !== undefined || d.maxSizeGiB !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["sizeGiB"], message: "is fixed: leave out minSizeGiB and maxSizeGiB, or leave out sizeGiB for a custom size" });
    }
    if (d.minSizeGiB !== undefined && d.maxSizeGiB !== undefined && d.minSizeGiB > d.maxSizeGiB) {
      ctx.addIssue({ code: "custom", path: ["maxSizeGiB"], message: `must be at least minSizeGiB (${d.minSizeGiB})` });
    }
  });

/**
 * Creates a disk offering (admins only): a data disk of a fixed size, or of a size the user picks
 * (between optional bounds), on local or shared storage with the pool tags it needs.
 * @throws CarveError INVALID_INPUT, ALREADY_EXISTS, FORBIDDEN
 */
export async function createDiskOffering(deps: CoreDeps, actor: TActor, input: unknown): Promise<DiskOffering> {
  requireAdmin(actor, "create disk offerings");
  const data = parseInput(ZCreateDiskOfferingInput, input);
  return deps.db.$transaction(async (tx) => {
    if (await tx.diskOffering.findUnique({ where: { name: data.name }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `A disk offering named '${data.name}' already exists. Choose another name.`, {
        fields: [{ field: "name", message: "is already used by another disk offering" }],
      });
    }
    const offering = await tx.diskOffering.create({
      data: {
        name: data.name,
        description: data.description ?? null,
        sizeGiB: data.sizeGiB ?? null,
        minSizeGiB: data.sizeGiB === undefined ? (data.minSizeGiB ?? 1) : null,
        maxSizeGiB: data.sizeGiB === undefined ? (data.maxSizeGiB ?? null) : null,
        scope: data.scope,
        storageTags: data.storageTags,
      },
    });
    await recordEvent(tx, { type: "disk-offering.created", actor, message: `disk offering ${offering.name} created (${describeDiskSize(offering)}, ${offering.scope})` });
    return offering;
  });
}

/** "20 GiB" or "custom 1–500 GiB", for messages and lists. */
export function describeDiskSize(o: Pick<DiskOffering, "sizeGiB" | "minSizeGiB" | "maxSizeGiB">): string {
  if (o.sizeGiB !== null) return `${o.sizeGiB} GiB`;
  return `custom ${o.minSizeGiB ?? 1}–${o.maxSizeGiB ?? 65536} GiB`;
}
