import { vmFilterName, type TFilterRule, type TVmFilter } from "@carve/protocol";

/** A security-group rule as stored: the source is a CIDR, a group, or (neither) the company network. */
export interface TStoredRule {
  protocol: TFilterRule["protocol"];
  portFrom: number | null;
  portTo: number | null;
  sourceCidr: string | null;
  sourceGroupId: string | null;
}

/** What sources resolve to when a filter is rendered. */
export interface TFilterSources {
  companyCidrs: readonly string[];
  /** The current addresses of each source group's VMs (VMs not destroyed, NICs with an address). */
  groupAddresses: ReadonlyMap<string, readonly string[]>;
}

/**
 * A VM's effective ingress filter (pure): the rules of all its groups, each source resolved (a
 * group to one /32 per member address, the company network to the admin's CIDRs), duplicates
 * dropped, in a stable order so the same groups always render the same filter. A source group
 * without members with an address lets nothing in.
 */
export function renderVmFilter(vm: { id: string; ip: string | null }, rules: readonly TStoredRule[], sources: TFilterSources): TVmFilter {
  const resolved = new Map<string, TFilterRule>();
  for (const rule of rules) {
    const cidrs = rule.sourceGroupId !== null
      ? (sources.groupAddresses.get(rule.sourceGroupId) ?? []).map((ip) => `${ip}/32`)
      : rule.sourceCidr !== null ? [rule.sourceCidr] : sources.companyCidrs;
    for (const sourceCidr of cidrs) {
      const entry: TFilterRule = { protocol: rule.protocol, portFrom: rule.portFrom, portTo: rule.portTo, sourceCidr };
      resolved.set(`${entry.protocol} ${entry.portFrom ?? ""}-${entry.portTo ?? ""} ${sourceCidr}`, entry);
    }
  }
  const order = (r: TFilterRule): string => `${r.protocol} ${String(r.portFrom ?? 0).padStart(5, "0")} ${String(r.portTo ?? 0).padStart(5, "0")} ${r.sourceCidr}`;
  return { name: vmFilterName(vm.id), ip: vm.ip, rules: [...resolved.values()].sort((a, b) => order(a).localeCompare(order(b))) };
}
