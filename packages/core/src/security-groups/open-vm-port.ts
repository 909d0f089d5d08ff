import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";
import { insertRule } from "./add-security-group-rule.ts";
import { dispatchFilterJobs, recordFilterJobs, vmsAffectedBy } from "./filter-jobs.ts";
import { ZPort } from "./security-group-fields.ts";
import type { TSecurityRuleView } from "./security-group-view.ts";

export const ZOpenVmPortInput = z.strictObject({
  vm: z.string({ error: "is required: a VM name or id" }).min(1, "is required: a VM name or id").max(200),
  port: ZPort,
  protocol: z.enum(["tcp", "udp"], { error: "must be tcp or udp" }).default("tcp"),
});

/** The group `vm open` adds its rules to: the VM's own. */
export const vmGroupName = (vmName: string): string => `vm-${vmName}`;

/**
 * The `/vm open NAME 8080` shortcut (owner or admin): lets the port in from the company network,
 * through a rule in the VM's own group "vm-<name>" (of the VM's owner), which is created and
 * put on the VM when missing. Opening a port that is open already changes nothing.
 * @throws CarveError VM_NOT_FOUND, INVALID_INPUT
 */
export async function openVmPort(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ vm: { id: string; name: string }; group: { id: string; name: string }; rule: TSecurityRuleView; added: boolean; jobs: number }> {
  requireWriteScope(actor, "open a VM's ports");
  const data = parseInput(ZOpenVmPortInput, input);
  const { result, jobs } = await deps.db.$transaction(async (tx) => {
    const vm = await findVmForActor(tx, actor, data.vm);
    const { ownerId } = await tx.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { ownerId: true } });
    const name = vmGroupName(vm.name);
    await tx.securityGroup.createMany({ data: [{ name, ownerId, description: `${vm.name}'s own rules ('carve vm open ${vm.name} PORT')` }], skipDuplicates: true });
    const group = await tx.securityGroup.findUniqueOrThrow({ where: { ownerId_name: { ownerId, name } }, select: { id: true, name: true, ownerId: true } });
    const joined = await tx.vmSecurityGroup.createMany({ data: [{ vmId: vm.id, groupId: group.id }], skipDuplicates: true });
    if (joined.count > 0) await recordEvent(tx, { type: "vm.security-groups", actor, vmId: vm.id, message: `${vm.name} joined security group ${group.name}` });
    const added = await insertRule(tx, actor, group, { protocol: data.protocol, portFrom: data.port, portTo: data.port, sourceCidr: null, sourceGroupId: null, description: `opened with 'vm open ${vm.name} ${data.port}'` });
    const affected = added.added || joined.count > 0 ? await vmsAffectedBy(tx, [group.id], { asSources: joined.count > 0 }) : [];
    const jobs = await recordFilterJobs(tx, deps, actor, affected);
    return { result: { vm, group: { id: group.id, name: group.name }, ...added, jobs: jobs.length }, jobs };
  });
  await dispatchFilterJobs(deps, jobs);
  return result;
}
