import type { Db, Tx } from "@carve/db";
import type { TVmFilter } from "@carve/protocol";
import { readNetworkSettings } from "../settings/network-settings.ts";
import { renderVmFilter, type TFilterSources, type TStoredRule } from "./render-vm-filter.ts";

const RULE_SELECT = { protocol: true, portFrom: true, portTo: true, sourceCidr: true, sourceGroupId: true } as const;

/** A VM's filter and where to apply it. */
export interface TLoadedFilter {
  vmId: string;
  hostId: string | null;
  state: string;
  filter: TVmFilter;
}

/**
 * The current filters of the given VMs: only VMs with a NIC from Carve (not destroyed) have one;
 * the others are left out. Sources are resolved against the groups' members now.
 */
export async function loadVmFilters(db: Db | Tx, vmIds: readonly string[]): Promise<TLoadedFilter[]> {
  if (vmIds.length === 0) return [];
  const vms = await db.vm.findMany({
    where: { id: { in: [...vmIds] }, state: { not: "Destroyed" }, nics: { some: {} } },
    select: {
      id: true,
      hostId: true,
      state: true,
      nics: { select: { ip: true }, orderBy: { deviceIndex: "asc" }, take: 1 },
      securityGroups: { select: { group: { select: { rules: { select: RULE_SELECT } } } } },
    },
  });
  const rulesOf = new Map(vms.map((vm) => [vm.id, vm.securityGroups.flatMap((m) => m.group.rules)]));
  const sources = await filterSources(db, [...rulesOf.values()].flat());
  return vms.map((vm) => ({ vmId: vm.id, hostId: vm.hostId, state: vm.state, filter: renderVmFilter({ id: vm.id, ip: vm.nics[0]?.ip ?? null }, rulesOf.get(vm.id) ?? [], sources) }));
}

/** What the rules' sources resolve to now: the company CIDRs and each source group's member addresses. */
export async function filterSources(db: Db | Tx, rules: readonly TStoredRule[]): Promise<TFilterSources> {
  const groupIds = [...new Set(rules.flatMap((r) => (r.sourceGroupId ? [r.sourceGroupId] : [])))];
  const members = groupIds.length === 0
    ? []
    : await db.vmSecurityGroup.findMany({
        where: { groupId: { in: groupIds }, vm: { state: { not: "Destroyed" } } },
        select: { groupId: true, vm: { select: { nics: { where: { ip: { not: null } }, select: { ip: true } } } } },
      });
  const groupAddresses = new Map<string, string[]>();
  for (const { groupId, vm } of members) {
    const list = groupAddresses.get(groupId) ?? [];
    for (const nic of vm.nics) if (nic.ip) list.push(nic.ip);
    groupAddresses.set(groupId, list);
  }
  const { companyCidrs } = rules.some((r) => !r.sourceCidr && !r.sourceGroupId) ? await readNetworkSettings(db) : { companyCidrs: [] };
  return { companyCidrs, groupAddresses };
}

/** The rules of a group, as filters read them. */
export async function groupRules(db: Db | Tx, groupId: string): Promise<TStoredRule[]> {
  return db.securityGroupRule.findMany({ where: { groupId }, select: RULE_SELECT });
}
