import { z } from "zod";
import type { Prisma } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { isAdmin, type TActor } from "../identity/actor.ts";
import { ZPage } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { pageOf, type TPage } from "../validation/page.ts";
import { toVmView, VM_VIEW_SELECT, type TVmView } from "./vm-view.ts";

const VM_STATES = ["Creating", "Starting", "Running", "Stopping", "Stopped", "Rebooting", "Migrating", "Destroying", "Destroyed", "Error", "Unknown", "Lost"] as const;

export const ZListVmsInput = ZPage.extend({
  state: z.enum(VM_STATES, { error: `must be one of ${VM_STATES.join(", ")}` }).optional(),
  /** Admins only: another user's VMs (username). Users always see their own. */
  owner: z.string().max(100).optional(),
  /** Host name or id. */
  host: z.string().max(100).optional(),
  /** Only VMs whose name contains this text (any case). */
  name: z.string().max(100).optional(),
  /** Include destroyed VMs (history). */
  includeDestroyed: z.boolean().default(false),
});

/** VMs the actor may see, newest first, a page at a time, filtered by owner, state, host or name. */
export async function listVms(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TPage<TVmView>> {
  const q = parseInput(ZListVmsInput, input);
  const where: Prisma.VmWhereInput = {};
  if (!isAdmin(actor)) where.ownerId = actor.kind === "user" ? actor.userId : "";
  else if (q.owner) where.owner = { username: q.owner };
  if (q.state) where.state = q.state;
  else if (!q.includeDestroyed) where.state = { not: "Destroyed" };
  if (q.name) where.name = { contains: q.name, mode: "insensitive" };
  if (q.host) where.host = { OR: [{ name: q.host }, ...(isUuid(q.host) ? [{ id: q.host }] : [])] };
  return pageOf(q, (args) =>
    deps.db.vm.findMany({ where, select: VM_VIEW_SELECT, orderBy: [{ createdAt: "desc" }, { id: "desc" }], ...args }).then((rows) => rows.map(toVmView)),
  );
}

