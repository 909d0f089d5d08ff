import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { hasDependents } from "../lifecycle/has-dependents.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findSecurityGroup } from "./find-security-group.ts";
import { ZSecurityGroupRef } from "./security-group-fields.ts";

export const ZDeleteSecurityGroupInput = z.strictObject({ group: ZSecurityGroupRef });

/**
 * Deletes a security group (owner or admin). Refused (HAS_DEPENDENTS) while VMs are in it or
 * another group's rules name it as their source, listing them and the order to undo them in.
 * @throws CarveError SECURITY_GROUP_NOT_FOUND, HAS_DEPENDENTS
 */
export async function deleteSecurityGroup(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ id: string; name: string }> {
  requireWriteScope(actor, "delete security groups");
  const { group: ref } = parseInput(ZDeleteSecurityGroupInput, input);
  return deps.db.$transaction(async (tx) => {
    const group = await findSecurityGroup(tx, actor, ref);
    // Holds the group's row: a VM joining it concurrently waits, then finds it gone.
    await tx.$executeRaw`SELECT id FROM "SecurityGroup" WHERE id = ${group.id}::uuid FOR UPDATE`;
    const vms = await tx.vmSecurityGroup.findMany({ where: { groupId: group.id }, select: { vm: { select: { name: true } } }, orderBy: { vm: { name: "asc" } } });
    const sourcing = await tx.securityGroupRule.findMany({ where: { sourceGroupId: group.id, groupId: { not: group.id } }, select: { id: true, group: { select: { name: true } } } });
    if (vms.length > 0 || sourcing.length > 0) {
      throw hasDependents(
        `Security group ${group.name}`,
        [
          { what: "VMs", one: "VM", names: vms.map((m) => m.vm.name) },
          { what: "rules", one: "rule", names: sourcing.map((r) => `${r.id} in group ${r.group.name}`) },
        ],
        [
          ...(vms.length > 0 ? ["take it off the VMs ('carve vm groups VM --set OTHER_GROUPS')"] : []),
          ...(sourcing.length > 0 ? ["remove the rules that name it as their source ('carve sg rule remove GROUP RULE_ID')"] : []),
          `delete the group ('carve sg delete ${group.name}')`,
        ],
      );
    }
    // Its own rules first: one naming the group itself as its source would hold the delete back.
    await tx.securityGroupRule.deleteMany({ where: { groupId: group.id } });
    await tx.securityGroup.delete({ where: { id: group.id } });
    await recordEvent(tx, { type: "security-group.deleted", actor, message: `security group ${group.name} deleted` });
    return { id: group.id, name: group.name };
  });
}
