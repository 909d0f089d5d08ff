import type { Tx } from "@carve/db";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { recordFilterJobs, vmsAffectedBy } from "./filter-jobs.ts";
import { vmFilterName, type TFilterRule, type TVmFilter } from "@carve/protocol";
import { ensureDefaultGroup } from "./default-group.ts";
import { filterSources, groupRules } from "./load-vm-filters.ts";
import { renderVmFilter } from "./render-vm-filter.ts";

/** An owner's default group and the ingress rules it renders to (the same for each of their new VMs). */
export interface TDefaultGroupFilter {
  groupId: string;
  rules: TFilterRule[];
  /** Some rule names the group as its source: a new member changes those VMs' filters. */
  isSource: boolean;
}

/**
 * The default groups of the owners of VMs created in ONE transaction, each created when missing
 * and rendered once (a batch of creates by one owner asks once). After a ROLLBACK TO SAVEPOINT
 * the caller must `clear()` it: a group created after the savepoint is gone.
 */
export class DefaultGroupFilters {
  private readonly owners = new Map<string, Promise<TDefaultGroupFilter>>();

  constructor(private readonly tx: Tx) {}

  forOwner(ownerId: string): Promise<TDefaultGroupFilter> {
    let found = this.owners.get(ownerId);
    if (!found) {
      found = this.load(ownerId);
      this.owners.set(ownerId, found);
    }
    return found;
  }

  clear(): void {
    this.owners.clear();
  }

  private async load(ownerId: string): Promise<TDefaultGroupFilter> {
    const group = await ensureDefaultGroup(this.tx, ownerId);
    const rules = await groupRules(this.tx, group.id);
    // The new VM is not in the group yet: the filter its NIC gets resolves sources without it.
    const { rules: rendered } = renderVmFilter({ id: group.id, ip: null }, rules, await filterSources(this.tx, rules));
    const isSource = (await this.tx.securityGroupRule.count({ where: { sourceGroupId: group.id } })) > 0;
    return { groupId: group.id, rules: rendered, isSource };
  }
}

/** A new VM's filter: its default group's rules, anti-spoofing for the address it was given. */
export function newVmFilter(vmId: string, ip: string | null, group: TDefaultGroupFilter): TVmFilter {
  return { name: vmFilterName(vmId), ip, rules: group.rules };
}

/** A new VM joining its owner's default group; `now` stamps the filter jobs it causes (the create's time). */
export interface TDefaultGroupJoin {
  vmId: string;
  group: TDefaultGroupFilter;
  now: Date;
}

/**
 * New VMs join their owners' default groups (in the creates' transaction, one statement). Where a
 * rule names such a group as its source, the VMs with that rule get vm.filter jobs with the new
 * addresses, recorded here and sent by the controller's sweep (a create stays one dispatch).
 */
export async function joinDefaultGroups(tx: Tx, joins: readonly TDefaultGroupJoin[]): Promise<void> {
  if (joins.length === 0) return;
  await tx.vmSecurityGroup.createMany({ data: joins.map((j) => ({ vmId: j.vmId, groupId: j.group.groupId })) });
  const sources = new Map(joins.filter((j) => j.group.isSource).map((j) => [j.group.groupId, j.now]));
  for (const [groupId, now] of sources) {
    await recordFilterJobs(tx, { now: () => now }, SYSTEM_ACTOR, await vmsAffectedBy(tx, [groupId], { asSources: true, members: false }));
  }
}
