import type { Prisma } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { isAdmin, type TActor } from "../identity/actor.ts";
import { ZPage } from "../validation/fields.ts";
import { pageOf, type TPage } from "../validation/page.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";

export const ZListVolumesInput = ZPage.extend({
  /** Only the volumes of this VM (name or id). */
  vm: z.string().min(1).max(100).optional(),
  /** Admins only: another user's volumes (username). */
  owner: z.string().max(100).optional(),
  kind: z.enum(["Root", "Data"], { error: "must be Root or Data" }).optional(),
});

export const VOLUME_VIEW_SELECT = {
  id: true,
  name: true,
  kind: true,
  state: true,
  stateReason: true,
  sizeGiB: true,
  deviceIndex: true,
  createdAt: true,
  owner: { select: { username: true } },
  vm: { select: { id: true, name: true } },
  pool: { select: { id: true, name: true, scope: true, host: { select: { name: true } } } },
  diskOffering: { select: { name: true } },
} as const satisfies Prisma.VolumeSelect;
export type TVolumeView = Prisma.VolumeGetPayload<{ select: typeof VOLUME_VIEW_SELECT }>;

/** Volumes the actor may see (their own; admins all), newest first, a page at a time; deleted ones are left out. */
export async function listVolumes(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TPage<TVolumeView>> {
  const q = parseInput(ZListVolumesInput, input);
  const where: Prisma.VolumeWhereInput = { state: { not: "Deleted" } };
  if (!isAdmin(actor)) where.ownerId = actor.kind === "user" ? actor.userId : "";
  else if (q.owner) where.owner = { username: q.owner };
  if (q.kind) where.kind = q.kind;
  if (q.vm) where.vmId = (await findVmForActor(deps.db, actor, q.vm)).id;
  return pageOf(q, (args) => deps.db.volume.findMany({ where, select: VOLUME_VIEW_SELECT, orderBy: [{ createdAt: "desc" }, { id: "desc" }], ...args }));
}
