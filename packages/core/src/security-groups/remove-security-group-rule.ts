import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { ZUuid } from "../validation/fields.ts";
import { dispatchFilterJobs, recordFilterJobs, vmsAffectedBy } from "./filter-jobs.ts";
import { findSecurityGroup } from "./find-security-group.ts";
import { ZSecurityGroupRef } from "./security-group-fields.ts";
import { describeRule, RULE_VIEW_SELECT, toRuleView, type TSecurityRuleView } from "./security-group-view.ts";

export const ZRemoveSecurityGroupRuleInput = z.strictObject({ group: ZSecurityGroupRef, rule: ZUuid("security group rule") });

/**
 * Removes a rule from a security group (owner or admin); the filters of the VMs in it are
 * re-applied at once (live: running VMs lose the access without a reboot).
 * @throws CarveError SECURITY_GROUP_NOT_FOUND, SECURITY_RULE_NOT_FOUND
 */
export async function removeSecurityGroupRule(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ rule: TSecurityRuleView; jobs: number }> {
  requireWriteScope(actor, "change security groups");
  const data = parseInput(ZRemoveSecurityGroupRuleInput, input);
  const { result, jobs } = await deps.db.$transaction(async (tx) => {
    const group = await findSecurityGroup(tx, actor, data.group);
    const found = await tx.securityGroupRule.findFirst({ where: { id: data.rule, groupId: group.id }, select: RULE_VIEW_SELECT });
    if (!found) {
      throw new CarveError("SECURITY_RULE_NOT_FOUND", `Security group ${group.name} has no rule ${data.rule}. See its rules with 'carve sg show ${group.name}'.`, {
        fields: [{ field: "rule", message: `is not a rule of ${group.name}` }],
      });
    }
    const rule = toRuleView(found);
    await tx.securityGroupRule.delete({ where: { id: rule.id } });
    await recordEvent(tx, { type: "security-group.rule-removed", actor, message: `security group ${group.name}: ${describeRule(rule)} no longer allowed`, data: { groupId: group.id, ruleId: rule.id } });
    const jobs = await recordFilterJobs(tx, deps, actor, await vmsAffectedBy(tx, [group.id]));
    return { result: { rule, jobs: jobs.length }, jobs };
  });
  await dispatchFilterJobs(deps, jobs);
  return result;
}
