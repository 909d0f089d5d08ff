import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { ZPage } from "../validation/fields.ts";
import { pageOf } from "../validation/page.ts";
import { parseInput } from "../validation/parse-input.ts";
import { requireAdmin, type TActor } from "./actor.ts";

export const ZListUsersInput = ZPage.extend({
  /** Only disabled accounts (with the VMs they still own). */
  disabledOnly: z.boolean().default(false),
  /** A part of the username, display name or email, any case. */
  search: z.string().max(1000).optional(),
});

/**
 * Every account (or those whose username, name or email contain `search`) with its source, role, state, groups and number of live VMs (so an admin sees
 * at a glance which disabled users still own VMs), by username, a page at a time (`{ items, nextCursor }`). Admins only; never any secret.
 */
export async function listUsers(deps: CoreDeps, actor: TActor, input: unknown = {}) {
  requireAdmin(actor, "list users");
  const q = parseInput(ZListUsersInput, input);
  const search = q.search?.trim().slice(0, 200);
  const page = await pageOf(q, (args) =>
    deps.db.user.findMany({
      where: {
        ...(q.disabledOnly ? { disabledAt: { not: null } } : {}),
        ...(search ? { OR: (["username", "displayName", "email"] as const).map((field) => ({ [field]: { contains: search, mode: "insensitive" as const } })) } : {}),
      },
      // username is unique: a total order, as keyset paging needs.
      orderBy: { username: "asc" },
      select: {
        id: true,
        username: true,
        source: true,
        role: true,
        displayName: true,
        email: true,
        disabledAt: true,
        disabledReason: true,
        lastLoginAt: true,
        memberships: { select: { group: { select: { name: true, isTeam: true } } } },
        _count: { select: { vms: { where: { state: { not: "Destroyed" } } } } },
      },
      ...args,
    }),
  );
  return {
    items: page.items.map(({ memberships, _count, ...user }) => ({
      ...user,
      groups: memberships.map((m) => m.group.name).sort(),
      teams: memberships.filter((m) => m.group.isTeam).map((m) => m.group.name).sort(),
      liveVms: _count.vms,
    })),
    nextCursor: page.nextCursor,
  };
}
