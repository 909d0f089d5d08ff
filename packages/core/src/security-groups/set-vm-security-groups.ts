import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { invalidInput } from "../validation/invalid-input.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";
import { dispatchFilterJobs, recordFilterJobs, vmsAffectedBy } from "./filter-jobs.ts";
import { findSecurityGroup } from "./find-security-group.ts";
import { ZSecurityGroupRef } from "./security-group-fields.ts";

const ZVmRef = z.string({ error: "is required: a VM name or id" }).min(1, "is required: a VM name or id").max(200);

export const ZGetVmSecurityGroupsInput = z.strictObject({ vm: ZVmRef });
export const ZSetVmSecurityGroupsInput = z.strictObject({
  vm: ZVmRef,
  /** The VM's groups from now on (names among the VM owner's groups, or ids); empty: nothing may come in. */
  groups: z.array(ZSecurityGroupRef, { error: "must be a list of security group names or ids" }).max(50, "lists more than 50 groups: merge some"),
});

export type TVmSecurityGroups = { vm: { id: string; name: string }; groups: { id: string; name: string }[] };

/** The security groups of a VM (owner or admin). @throws CarveError VM_NOT_FOUND */
export async function getVmSecurityGroups(deps: CoreDeps, actor: TActor, input: unknown): Promise<TVmSecurityGroups> {
  const { vm: ref } = parseInput(ZGetVmSecurityGroupsInput, input);
  const vm = await findVmForActor(deps.db, actor, ref);
  const rows = await deps.db.vmSecurityGroup.findMany({ where: { vmId: vm.id }, select: { group: { select: { id: true, name: true } } }, orderBy: { group: { name: "asc" } } });
  return { vm, groups: rows.map((r) => r.group) };
}

/**
 * Replaces a VM's security groups (owner or admin): the groups must be the VM owner's. The VM's
 * filter is re-applied, and so are the filters of VMs whose rules name a group it joined or left
 * (their source's addresses changed).
 * @throws CarveError VM_NOT_FOUND, SECURITY_GROUP_NOT_FOUND, INVALID_INPUT
 */
export async function setVmSecurityGroups(deps: CoreDeps, actor: TActor, input: unknown): Promise<TVmSecurityGroups & { jobs: number }> {
  requireWriteScope(actor, "change a VM's security groups");
  const data = parseInput(ZSetVmSecurityGroupsInput, input);
  const { result, jobs } = await deps.db.$transaction(async (tx) => {
    const vm = await findVmForActor(tx, actor, data.vm);
    const { ownerId } = await tx.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { ownerId: true } });
    const wanted = new Map<string, { id: string; name: string }>();
    for (const [i, ref] of data.groups.entries()) {
      const group = await findSecurityGroup(tx, actor, ref, { ownerId, field: `groups[${i}]` });
      if (group.ownerId !== ownerId) throw invalidInput([{ field: `groups[${i}]`, message: `is a group of another user: ${vm.name}'s groups must belong to its owner` }]);
      wanted.set(group.id, { id: group.id, name: group.name });
    }
    const before = (await tx.vmSecurityGroup.findMany({ where: { vmId: vm.id }, select: { groupId: true } })).map((r) => r.groupId);
    const changed = [...before.filter((id) => !wanted.has(id)), ...[...wanted.keys()].filter((id) => !before.includes(id))];
    await tx.vmSecurityGroup.deleteMany({ where: { vmId: vm.id, groupId: { notIn: [...wanted.keys()] } } });
    await tx.vmSecurityGroup.createMany({ data: [...wanted.keys()].map((groupId) => ({ vmId: vm.id, groupId })), skipDuplicates: true });
    const groups = [...wanted.values()].sort((a, b) => a.name.localeCompare(b.name));
    await recordEvent(tx, { type: "vm.security-groups", actor, vmId: vm.id, message: `${vm.name}'s security groups are now ${groups.map((g) => g.name).join(", ") || "none (nothing may come in)"}` });
    const affected = new Set([vm.id, ...(await vmsAffectedBy(tx, changed, { asSources: true, members: false }))]);
    const jobs = await recordFilterJobs(tx, deps, actor, [...affected]);
    return { result: { vm, groups, jobs: jobs.length }, jobs };
  });
  await dispatchFilterJobs(deps, jobs);
  return result;
}
