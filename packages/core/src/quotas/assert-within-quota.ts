import type { Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { QUOTA_FIELDS, quotaUsage, type TQuotaAmounts } from "./quota-usage.ts";

/**
 * Refuses a request that would take the owner, or any group the owner belongs to, past a quota.
 * Runs inside the create's transaction and locks the owner's and groups' rows first, so two
 * concurrent requests of one user (or team) cannot both slip under the limit. `unlimited` remembers,
 * across the calls of one transaction, the owners found to have no quota at all.
 */
export async function assertWithinQuota(tx: Tx, ownerId: string, request: TQuotaAmounts, unlimited?: Set<string>): Promise<void> {
  if (unlimited?.has(ownerId)) return;
  const owner = await ownerQuota(tx, ownerId);
  // Without any quota there is nothing to count, and no reason to serialise this user's requests:
  // the one query above answers that for most users, on every create (and, with `unlimited`, once
  // per owner for a batch of creates in one transaction).
  if (!owner || (!owner.quota && !owner.groupQuotas)) {
    unlimited?.add(ownerId);
    return;
  }
  await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${ownerId}::uuid FOR UPDATE`;
  const scopes = [{ label: `your quota (user ${owner.username})`, quota: owner.quota, owners: [ownerId] }];
  if (owner.groupQuotas) {
    const groups = await tx.group.findMany({
      where: { members: { some: { userId: ownerId } }, quota: { isNot: null } },
      select: { id: true, name: true, quota: true },
      orderBy: { id: "asc" }, // one lock order for every request, so two never deadlock
    });
    for (const group of groups) {
      await tx.$queryRaw`SELECT id FROM "Group" WHERE id = ${group.id}::uuid FOR UPDATE`;
      const members = await tx.groupMember.findMany({ where: { groupId: group.id }, select: { userId: true } });
      scopes.push({ label: `the quota of group ${group.name}`, quota: group.quota, owners: members.map((m) => m.userId) });
    }
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

type TLimits = { maxVms: number | null; maxVcpus: number | null; maxMemMiB: number | null; maxStorGiB: number | null };

/** The owner's name and own quota, and whether any of their groups has one: one query. */
async function ownerQuota(tx: Tx, userId: string): Promise<{ username: string; quota: TLimits | null; groupQuotas: boolean } | null> {
  const [row] = await tx.$queryRaw<(TLimits & { username: string; hasQuota: boolean; groupQuotas: boolean })[]>`
    SELECT u.username, q."maxVms", q."maxVcpus", q."maxMemMiB", q."maxStorGiB", q.id IS NOT NULL AS "hasQuota",
           EXISTS (SELECT 1 FROM "GroupMember" m JOIN "Quota" gq ON gq."groupId" = m."groupId" WHERE m."userId" = u.id) AS "groupQuotas"
      FROM "User" u LEFT JOIN "Quota" q ON q."userId" = u.id
     WHERE u.id = ${userId}::uuid`;
  if (!row) return null;
  const { username, hasQuota, groupQuotas, ...limits } = row;
  return { username, quota: hasQuota ? limits : null, groupQuotas };
}
