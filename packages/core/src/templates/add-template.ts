import type { Template } from "@carve/db";
import { ZGuestUser, ZLibvirtName } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { resolveLivePool } from "../pools/resolve-live-pool.ts";
import { ZDescription, ZObjectName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";

export const ZAddTemplateInput = z.strictObject({
  name: ZObjectName,
  description: ZDescription.optional(),
  /** Pools (names or ids) that already hold the template's disk image, under the same volume name. */
  pools: z.array(z.string().min(1).max(100)).min(1, "needs at least one pool holding the image").max(64),
  /** The image's volume name inside those libvirt pools. */
  volume: ZLibvirtName,
  format: z.enum(["qcow2", "raw"], { error: "must be qcow2 or raw" }).default("qcow2"),
  minDiskGiB: z.number().int().min(1).max(65536).default(1),
  /** The guest account people sign in as: the connect line `ssh <loginUser>@<address>`. */
  loginUser: ZGuestUser.default("root"),
});

/**
 * Registers a template whose image is already a volume in one or more pools. It is Ready at once
 * (templates by URL: registerTemplate).
 */
export async function addTemplate(deps: CoreDeps, actor: TActor, input: unknown): Promise<Template> {
  requireAdmin(actor, "add templates");
  const data = parseInput(ZAddTemplateInput, input);
  return deps.db.$transaction(async (tx) => {
    const pools = [];
    for (const ref of data.pools) {
      pools.push(await resolveLivePool(tx, ref, "pools"));
    }
    if (await tx.template.findUnique({ where: { name: data.name }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `A template named '${data.name}' already exists. Choose another name.`, {
        fields: [{ field: "name", message: "is already used by another template" }],
      });
    }
    const template = await tx.template.create({
      data: {
        name: data.name,
        description: data.description ?? null,
        format: data.format,
        minDiskGiB: data.minDiskGiB,
        loginUser: data.loginUser,
        state: "Ready",
        progress: 100,
        copies: { create: pools.map((pool) => ({ poolId: pool.id, volumeName: data.volume, state: "Ready" as const })) },
      },
    });
    await recordEvent(tx, { type: "template.added", actor, message: `template ${template.name} registered from ${data.volume} in ${pools.map((p) => p.name).join(", ")}`, data: { templateId: template.id, sizeBytes: template.sizeBytes.toString() } });
    return template;
  });
}
