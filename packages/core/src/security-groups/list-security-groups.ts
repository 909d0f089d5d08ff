import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { isAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { ensureDefaultGroup } from "./default-group.ts";
import { SECURITY_GROUP_SELECT, toSecurityGroupView, type TSecurityGroupView } from "./security-group-view.ts";

export const ZListSecurityGroupsInput = z.strictObject({
  /** Admins: every user's groups, not only their own. */
  all: z.boolean({ error: "must be true or false" }).default(false),
});

/** The acting user's security groups (their default one created on first list), or every group for an admin asking for all. */
export async function listSecurityGroups(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TSecurityGroupView[]> {
  const { all } = parseInput(ZListSecurityGroupsInput, input);
  if (actor.kind === "user") await ensureDefaultGroup(deps.db, actor.userId);
  const everyone = all && isAdmin(actor);
  const rows = await deps.db.securityGroup.findMany({
    where: everyone ? {} : { ownerId: actor.kind === "user" ? actor.userId : "00000000-0000-0000-0000-000000000000" },
    select: SECURITY_GROUP_SELECT,
    orderBy: [{ owner: { username: "asc" } }, { name: "asc" }],
  });
  return rows.map(toSecurityGroupView);
}
