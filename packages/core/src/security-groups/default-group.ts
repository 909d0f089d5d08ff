import type { Db, Tx } from "@carve/db";

/** Every user's own group, created the first time it is needed (first VM create, first list). */
export const DEFAULT_GROUP = "default";

/**
 * The owner's default group, created when missing with its two rules (SSH and ICMP from the
 * company network) in ONE statement, so two creates racing for it make one group with both rules.
 */
export async function ensureDefaultGroup(db: Db | Tx, ownerId: string): Promise<{ id: string; name: string }> {
  const existing = await db.securityGroup.findUnique({ where: { ownerId_name: { ownerId, name: DEFAULT_GROUP } }, select: { id: true, name: true } });
  if (existing) return existing;
  await db.$executeRaw`
    WITH g AS (
      INSERT INTO "SecurityGroup" (id, name, description, "ownerId", "createdAt", "updatedAt")
      VALUES (gen_random_uuid(), ${DEFAULT_GROUP}, 'Every new VM is in it: SSH and ping from the company network', ${ownerId}::uuid, now(), now())
      ON CONFLICT ("ownerId", name) DO NOTHING
      RETURNING id
    )
    INSERT INTO "SecurityGroupRule" (id, "groupId", protocol, "portFrom", "portTo", description, "createdAt")
    SELECT gen_random_uuid(), g.id, x.protocol::"SecurityRuleProtocol", x.port, x.port, x.description, now()
      FROM g, (VALUES ('tcp', 22, 'SSH from the company network'), ('icmp', NULL::int, 'ping from the company network')) AS x(protocol, port, description)`;
  return db.securityGroup.findUniqueOrThrow({ where: { ownerId_name: { ownerId, name: DEFAULT_GROUP } }, select: { id: true, name: true } });
}
