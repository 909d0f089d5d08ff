import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { isAdmin, requireUser, type TActor } from "../identity/actor.ts";
import { quotaLimits, quotaUsage, type TQuotaAmounts } from "./quota-usage.ts";

export interface TQuotaView {
  scope: string;
  limits: Record<keyof TQuotaAmounts, number | null>;
  use: TQuotaAmounts;
}

/** A user's quotas (their own, and their groups') with current use; others' only for admins. */
export async function getQuota(deps: CoreDeps, actor: TActor, username?: string): Promise<TQuotaView[]> {
  const self = requireUser(actor);
  const name = username ?? self.username;
  if (name !== self.username && !isAdmin(actor)) throw new CarveError("FORBIDDEN", "Only administrators can see other users' quotas.");
  const user = await deps.db.user.findUnique({
    where: { username: name },
    select: { id: true, quota: true, memberships: { select: { group: { select: { name: true, quota: true, members: { select: { userId: true } } } } } } },
  });
  if (!user) throw new CarveError("USER_NOT_FOUND", `No user '${name}'.`);
  const scopes = [{ scope: `user ${name}`, quota: user.quota, owners: [user.id] }];
  for (const { group } of user.memberships) {
    if (group.quota) scopes.push({ scope: `group ${group.name}`, quota: group.quota, owners: group.members.map((m) => m.userId) });
  }
  return deps.db.$transaction(async (tx) =>
    Promise.all(
      scopes.map(async ({ scope, quota, owners }) => ({
        scope,
        limits: quotaLimits(quota),
        use: await quotaUsage(tx, owners),
      })),
    ),
  );
}
