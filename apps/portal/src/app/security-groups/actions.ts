"use server";

import { addSecurityGroupRule, createSecurityGroup, deleteSecurityGroup, describeOpenedPort, describeRule, openVmPort, removeSecurityGroupRule } from "@carve/core";
import { portalCore } from "../../server/core.ts";
import { num, text } from "../../server/form-fields.ts";
import { runForm, type TFormResult } from "../../server/form-result.ts";
import { pageActor } from "../../server/page-actor.ts";

const PAGE = "/security-groups";

/** Create security group: an empty group of the signed-in user. */
export async function createSecurityGroupFromForm(_previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await pageActor();
  return runForm(PAGE, async () => {
    const group = await createSecurityGroup(portalCore(), actor, { name: text(form, "name"), description: text(form, "description") });
    return { notice: `Security group ${group.name} created; it lets nothing in until you add rules.` };
  });
}

/** Add rule (bound to its group): core names a bad port, protocol or source next to its field. */
export async function addRuleFromForm(group: string, _previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await pageActor();
  return runForm(PAGE, async () => {
    const added = await addSecurityGroupRule(portalCore(), actor, {
      group,
      protocol: text(form, "protocol"),
      portFrom: num(form, "portFrom"),
      portTo: num(form, "portTo"),
      source: text(form, "source"),
      description: text(form, "description"),
    });
    return { notice: added.added ? `${describeRule(added.rule)} allowed.` : `${describeRule(added.rule)} was allowed already.` };
  });
}

/** Removes one rule of a group; its VMs lose that access at once. */
export async function removeRuleAction(group: string, rule: string): Promise<TFormResult> {
  const actor = await pageActor();
  return runForm(PAGE, async () => {
    const removed = await removeSecurityGroupRule(portalCore(), actor, { group, rule });
    return { notice: `${describeRule(removed.rule)} removed.` };
  });
}

/** Deletes a group; core refuses while VMs are in it or rules name it, listing them. */
export async function deleteSecurityGroupAction(group: string): Promise<TFormResult> {
  const actor = await pageActor();
  return runForm(PAGE, async () => {
    const deleted = await deleteSecurityGroup(portalCore(), actor, { group });
    return { notice: `Security group ${deleted.name} deleted.` };
  });
}

/** Open port (the VM page, bound to the VM): a rule in the VM's own group, from the company network unless a source is given. */
export async function openPortFromForm(vm: string, _previous: TFormResult, form: FormData): Promise<TFormResult> {
  const actor = await pageActor();
  return runForm(`/vms/${vm}`, async () => {
    const opened = await openVmPort(portalCore(), actor, { vm, port: num(form, "port"), protocol: text(form, "protocol"), source: text(form, "source") });
    return { notice: `${describeOpenedPort(opened)}.` };
  });
}
