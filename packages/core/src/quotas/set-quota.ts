import type { Quota } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";

const ZLimit = z.number().int("must be a whole number").min(0, "must be 0 or more").nullable().optional();

export const ZSetQuotaInput = z
  .strictObject({
    user: z.string().min(1).max(100).optional(),
    group: z.string().min(1).max(100).optional(),
    /** null removes that limit; absent leaves it as it is. */
    maxVms: ZLimit,
    maxVcpus: ZLimit,
    maxMemMiB: ZLimit,
    maxStorGiB: ZLimit,
  })
  .refine((q) => Boolean(q.user) !== Boolean(q.group), { message: "give exactly one of user or group", path: ["user"] });

/** Sets (or clears) the quota of one user or group; admins only. */
export async function setQuota(deps: CoreDeps, actor: TActor, input: unknown): Promise<Quota> {
  requireAdmin(actor, "set quotas");
  const { user, group, ...limits } = parseInput(ZSetQuotaInput, input);
  return deps.db.$transaction(async (tx) => {
    const owner = user
      ? await tx.user.findUnique({ where: { username: user }, select: { id: true } })
      : await tx.group.findUnique({ where: { name: group ?? "" }, select: { id: true } });
    if (!owner) {
      throw new CarveError(user ? "USER_NOT_FOUND" : "INVALID_INPUT", `No ${user ? "user" : "group"} '${user ?? group}'.`, {
        fields: [{ field: user ? "user" : "group", message: "does not exist" }],
      });
    }
    const where = user ? { userId: owner.id } : { groupId: owner.id };
    const quota = await tx.quota.upsert({ where, create: { ...where, ...limits }, update: limits });
    await recordEvent(tx, { type: "quota.set", actor, message: `quota of ${user ? "user" : "group"} ${user ?? group} set`, data: limits });
    return quota;
  });
}
