import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TActor } from "../identity/actor.ts";
import { ZPage } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";

export const ZListVmEventsInput = ZPage.extend({
  /** The VM's id or name. */
  vm: z.string({ error: "is required: the VM's id or name" }).min(1, "is required: the VM's id or name").max(100),
  limit: ZPage.shape.limit.unwrap().default(20),
});

/** One line of a VM's timeline: what happened, when, by whom (null: the system). */
export interface TVmEventView {
  id: string;
  at: Date;
  type: string;
  message: string;
  fromState: string | null;
  toState: string | null;
  jobId: string | null;
  actor: string | null;
}

export interface TVmEventPage {
  items: TVmEventView[];
  /** Pass back as `cursor` for older events; null on the last page. */
  nextCursor: string | null;
}

/**
 * A VM's event timeline, newest first, a page at a time: only for a VM the actor may see (owners
 * their own, admins all). Event ids are a sequence, so the cursor is the last id shown.
 */
export async function listVmEvents(deps: CoreDeps, actor: TActor, input: unknown): Promise<TVmEventPage> {
  const { vm, limit, cursor } = parseInput(ZListVmEventsInput, input);
  if (cursor !== undefined && !/^\d{1,19}$/.test(cursor)) {
    throw new CarveError("INVALID_INPUT", "Invalid input. cursor: is not a cursor from a previous page", { fields: [{ field: "cursor", message: "is not a cursor from a previous page" }] });
  }
  const { id: vmId } = await findVmForActor(deps.db, actor, vm);
  const rows = await deps.db.event.findMany({
    where: { vmId, ...(cursor ? { id: { lt: BigInt(cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
    select: { id: true, at: true, type: true, message: true, fromState: true, toState: true, jobId: true, actor: { select: { username: true } } },
  });
  const items = rows.slice(0, limit).map(({ id, actor: by, ...event }) => ({ ...event, id: String(id), actor: by?.username ?? null }));
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
