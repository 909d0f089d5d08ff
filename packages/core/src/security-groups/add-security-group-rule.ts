import type { Tx } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { ZDescription } from "../validation/fields.ts";
import { invalidInput } from "../validation/invalid-input.ts";
import { parseInput } from "../validation/parse-input.ts";
import { dispatchFilterJobs, recordFilterJobs, vmsAffectedBy } from "./filter-jobs.ts";
import { findSecurityGroup, type TFoundGroup } from "./find-security-group.ts";
import { COMPANY_SOURCE, looksLikeCidr, parseSourceCidr, rulePorts, ZPort, ZRuleProtocol, ZRuleSource, ZSecurityGroupRef, type TRuleProtocol } from "./security-group-fields.ts";
import { describeRule, RULE_VIEW_SELECT, toRuleView, type TSecurityRuleView } from "./security-group-view.ts";

export const ZAddSecurityGroupRuleInput = z.strictObject({
  group: ZSecurityGroupRef,
  protocol: ZRuleProtocol,
  /** tcp/udp: the port, or the first of a range. */
  portFrom: ZPort.optional(),
  /** tcp/udp: the last port of a range (default: portFrom). */
  portTo: ZPort.optional(),
  /** A CIDR or address, another of the owner's groups (name or id), or "company" (the default). */
  source: ZRuleSource,
  description: ZDescription.optional(),
});

/** A rule to add, checked: its ports and its source resolved. */
export interface TNewRule {
  protocol: TRuleProtocol;
  portFrom: number | null;
  portTo: number | null;
  sourceCidr: string | null;
  sourceGroupId: string | null;
  description: string | null;
}

/**
 * Adds an ingress rule to a security group (owner or admin) and re-applies the filters of the
 * VMs in it (vm.filter jobs, after the commit). The same rule already there is answered as it is
 * (nothing added twice). Bad input names the field and the fix: an unknown protocol, port 0 or
 * 70000, portFrom above portTo, ports on an icmp rule, a malformed CIDR or an unknown source group.
 * @throws CarveError INVALID_INPUT, SECURITY_GROUP_NOT_FOUND
 */
export async function addSecurityGroupRule(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ rule: TSecurityRuleView; added: boolean; jobs: number }> {
  requireWriteScope(actor, "change security groups");
  const data = parseInput(ZAddSecurityGroupRuleInput, input);
  const ports = rulePorts(data.protocol, data.portFrom, data.portTo);
  if (Array.isArray(ports)) throw invalidInput(ports);
  const { result, jobs } = await deps.db.$transaction(async (tx) => {
    const group = await findSecurityGroup(tx, actor, data.group);
    const source = await resolveSource(tx, actor, group, data.source);
    const added = await insertRule(tx, actor, group, { protocol: data.protocol, ...ports, ...source, description: data.description ?? null });
    const jobs = added.added ? await recordFilterJobs(tx, deps, actor, await vmsAffectedBy(tx, [group.id])) : [];
    return { result: { ...added, jobs: jobs.length }, jobs };
  });
  await dispatchFilterJobs(deps, jobs);
  return result;
}

/**
 * Writes a rule into the group unless the same one is there (same protocol, ports and source),
 * with an event; the caller re-applies the filters. Shared with openVmPort.
 */
export async function insertRule(tx: Tx, actor: TActor, group: TFoundGroup, rule: TNewRule): Promise<{ rule: TSecurityRuleView; added: boolean }> {
  const same = await tx.securityGroupRule.findFirst({
    where: { groupId: group.id, protocol: rule.protocol, portFrom: rule.portFrom, portTo: rule.portTo, sourceCidr: rule.sourceCidr, sourceGroupId: rule.sourceGroupId },
    select: RULE_VIEW_SELECT,
  });
  if (same) return { rule: toRuleView(same), added: false };
  const created = toRuleView(await tx.securityGroupRule.create({ data: { groupId: group.id, ...rule }, select: RULE_VIEW_SELECT }));
  await recordEvent(tx, { type: "security-group.rule-added", actor, message: `security group ${group.name}: ${describeRule(created)} allowed`, data: { groupId: group.id, ruleId: created.id } });
  return { rule: created, added: true };
}

/** A typed source: the company network, a CIDR (normalised), or one of the group owner's groups. */
async function resolveSource(tx: Tx, actor: TActor, group: TFoundGroup, source: string): Promise<{ sourceCidr: string | null; sourceGroupId: string | null }> {
  if (source === COMPANY_SOURCE) return { sourceCidr: null, sourceGroupId: null };
  if (looksLikeCidr(source)) {
    const parsed = parseSourceCidr(source);
    if ("error" in parsed) throw invalidInput([{ field: "source", message: parsed.error }]);
    return { sourceCidr: parsed.cidr, sourceGroupId: null };
  }
  const from = await findSecurityGroup(tx, actor, source, { ownerId: group.ownerId, field: "source" });
  if (from.ownerId !== group.ownerId) {
    throw invalidInput([{ field: "source", message: `is a group of another user: a rule's source group must belong to the owner of ${group.name}` }]);
  }
  return { sourceCidr: null, sourceGroupId: from.id };
}
