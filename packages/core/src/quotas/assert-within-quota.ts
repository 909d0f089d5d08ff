import type { Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { QUOTA_FIELDS, quotaUsage, type TQuotaAmounts } from "./quota-usage.ts";

/**
 * Refuses a request that would take the owner, or any group the owner belongs to, past a quota.
 * Runs inside the create's transaction and locks the owner's and groups' rows first, so two
 * concurrent requests of one user (or team) cannot both slip under the limit.
 */
export async function assertWithinQuota(tx: Tx, ownerId: string, request: TQuotaAmounts): Promise<void> {
  const user = await tx.user.findUniqueOrThrow({
    where: { id: ownerId },
    select: { username: true, quota: true, memberships: { select: { group: { select: { id: true, name: true, quota: true } } } } },
  });
  // Without any quota there is nothing to count, and no reason to serialise this user's requests.
  if (!user.quota && user.memberships.every(({ group }) => !group.quota)) return;
  await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${ownerId}::uuid FOR UPDATE`;
  const scopes = [{ label: `your quota (user ${user.username})`, quota: user.quota, owners: [ownerId] }];
  for (const { group } of user.memberships) {
    if (!group.quota) continue;
    await tx.$queryRaw`SELECT id FROM "Group" WHERE id = ${group.id}::uuid FOR UPDATE`;
    const members = await tx.groupMember.findMany({ where: { groupId: group.id }, select: { userId: true } });
    scopes.push({ label: `the quota of group ${group.name}`, quota: group.quota, owners: members.map((m) => m.userId) });
  }
  for (const scope of scopes) {
    if (!scope.quota) continue;
    const use = await quotaUsage(tx, scope.owners);
    for (const field of QUOTA_FIELDS) {
      const limit = scope.quota[field.limit];
      if (limit === null || use[field.key] + request[field.key] <= limit) continue;
      const u = field.unit;
      throw new CarveError(
        "QUOTA_EXCEEDED",
        `This would exceed ${scope.label} for ${field.label}: limit ${limit}${u}, in use ${use[field.key]}${u}, this request ${request[field.key]}${u}. ` +
          "Destroy VMs you no longer need, choose a smaller offering, or ask an admin to raise the quota.",
        { details: { resource: field.key, limit, use: use[field.key], request: request[field.key], scope: scope.label } },
      );
    }
  }
}
