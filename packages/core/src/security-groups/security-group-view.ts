import type { Prisma } from "@carve/db";
import { COMPANY_SOURCE } from "./security-group-fields.ts";

const RULE_VIEW_SELECT = {
  id: true,
  protocol: true,
  portFrom: true,
  portTo: true,
  sourceCidr: true,
  sourceGroup: { select: { id: true, name: true } },
  description: true,
  createdAt: true,
} satisfies Prisma.SecurityGroupRuleSelect;

/** What every front door shows of a security group; one selection so they agree. */
export const SECURITY_GROUP_SELECT = {
  id: true,
  name: true,
  description: true,
  createdAt: true,
  owner: { select: { id: true, username: true } },
  rules: { select: RULE_VIEW_SELECT, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
  vms: { where: { vm: { state: { not: "Destroyed" } } }, select: { vm: { select: { id: true, name: true } } }, orderBy: { vm: { name: "asc" } } },
} satisfies Prisma.SecurityGroupSelect;

type TGroupRow = Prisma.SecurityGroupGetPayload<{ select: typeof SECURITY_GROUP_SELECT }>;
type TRuleRow = Prisma.SecurityGroupRuleGetPayload<{ select: typeof RULE_VIEW_SELECT }>;

export interface TSecurityRuleView {
  id: string;
  protocol: "tcp" | "udp" | "icmp" | "all";
  portFrom: number | null;
  portTo: number | null;
  /** Where traffic may come from: a CIDR, another group (its VMs' addresses) or the company network. */
  sourceKind: "cidr" | "group" | "company";
  sourceCidr: string | null;
  sourceGroup: { id: string; name: string } | null;
  /** "10.0.0.0/8", "group web" or "company": the source as one would type it back. */
  source: string;
  description: string | null;
  createdAt: Date;
}

export interface TSecurityGroupView {
  id: string;
  name: string;
  description: string | null;
  owner: { id: string; username: string };
  createdAt: Date;
  rules: TSecurityRuleView[];
  /** The VMs (not destroyed) the group filters. */
  vms: { id: string; name: string }[];
}

export function toRuleView(rule: TRuleRow): TSecurityRuleView {
  const sourceKind = rule.sourceGroup ? "group" : rule.sourceCidr ? "cidr" : "company";
  const source = rule.sourceGroup ? rule.sourceGroup.name : (rule.sourceCidr ?? COMPANY_SOURCE);
  return { ...rule, sourceKind, source };
}

export function toSecurityGroupView(row: TGroupRow): TSecurityGroupView {
  return { ...row, rules: row.rules.map(toRuleView), vms: row.vms.map((m) => m.vm) };
}

export { RULE_VIEW_SELECT };

/** "tcp 8080-8090 from 10.0.0.0/8": how messages and events name a rule. */
export function describeRule(rule: Pick<TSecurityRuleView, "protocol" | "portFrom" | "portTo" | "source">): string {
  const ports = rule.portFrom === null ? "" : rule.portTo !== null && rule.portTo !== rule.portFrom ? ` ${rule.portFrom}-${rule.portTo}` : ` ${rule.portFrom}`;
  return `${rule.protocol}${ports} from ${rule.source}`;
}
