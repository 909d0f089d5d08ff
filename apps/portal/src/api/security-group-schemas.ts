// security groups (issue 17): the answers and bodies of /api/v1/security-groups…, /api/v1/vms/{id}/security-groups,
// /api/v1/vms/{id}/open and /api/v1/admin/settings/network, and the functions that build the answers.
import { ZAddSecurityGroupRuleInput, ZOpenVmPortInput, ZSetVmSecurityGroupsInput, type TOpenedPort, type TSecurityGroupView, type TSecurityRuleView } from "@carve/core";
import { z } from "zod";
import { ANSWER_SCHEMAS } from "./schemas.ts";

const ZRef = z.object({ id: z.uuid(), name: z.string() });

/** POST /api/v1/security-groups/{group}/rules: the group is the path's. */
export const ZAddSecurityRuleBody = ZAddSecurityGroupRuleInput.omit({ group: true });
/** PUT /api/v1/vms/{id}/security-groups: the VM is the path's. */
export const ZSetVmSecurityGroupsBody = ZSetVmSecurityGroupsInput.omit({ vm: true });
/** POST /api/v1/vms/{id}/open: the VM is the path's. */
export const ZOpenVmPortBody = ZOpenVmPortInput.omit({ vm: true });

export const ZSecurityRuleJson = z
  .object({
    id: z.uuid(),
    protocol: z.enum(["tcp", "udp", "icmp", "all"]),
    portFrom: z.int().nullable().describe("tcp/udp: the first port; null for icmp and all"),
    portTo: z.int().nullable().describe("tcp/udp: the last port (equal to portFrom for one port)"),
    sourceKind: z.enum(["cidr", "group", "company"]).describe("company: the networks an admin set (POST /api/v1/admin/settings/network)"),
    sourceCidr: z.string().nullable(),
    sourceGroup: ZRef.nullable().describe("The group whose VMs' addresses may come in"),
    source: z.string().describe("The source as you would type it: a CIDR, a group's name or `company`"),
    description: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .register(ANSWER_SCHEMAS, { id: "SecurityRule" });

export const ZSecurityGroupJson = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    owner: z.object({ id: z.uuid(), username: z.string() }),
    createdAt: z.iso.datetime(),
    rules: z.array(ZSecurityRuleJson).describe("Ingress rules, oldest first; anything else is refused (egress is open)"),
    vms: z.array(ZRef).describe("The VMs (not destroyed) in the group"),
  })
  .register(ANSWER_SCHEMAS, { id: "SecurityGroup" });

export const ZSecurityGroupPageJson = z
  .object({ items: z.array(ZSecurityGroupJson), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page") })
  .register(ANSWER_SCHEMAS, { id: "SecurityGroupPage" });

export const ZDeletedSecurityGroupJson = ZRef.register(ANSWER_SCHEMAS, { id: "DeletedSecurityGroup" });

const jobs = z.int().describe("How many VMs' filters are being re-applied (vm.filter jobs)");

export const ZAddedSecurityRuleJson = z
  .object({ rule: ZSecurityRuleJson, added: z.boolean().describe("false: the same rule was there already (nothing changed)"), jobs })
  .register(ANSWER_SCHEMAS, { id: "AddedSecurityRule" });

export const ZRemovedSecurityRuleJson = z.object({ rule: ZSecurityRuleJson, jobs }).register(ANSWER_SCHEMAS, { id: "RemovedSecurityRule" });

export const ZVmSecurityGroupsJson = z
  .object({ vm: ZRef, groups: z.array(ZRef).describe("By name; none: nothing may come in"), jobs: jobs.optional() })
  .register(ANSWER_SCHEMAS, { id: "VmSecurityGroups" });

export const ZOpenedPortJson = z
  .object({
    vm: ZRef,
    group: ZRef.describe("The VM's own group (`vm-<name>`) the rule is in"),
    rule: ZSecurityRuleJson,
    added: z.boolean().describe("false: the port was open already (nothing changed)"),
    jobs,
    companyCidrs: z.array(z.string()).nullable().describe("When the source is `company`: the networks that means now"),
  })
  .register(ANSWER_SCHEMAS, { id: "OpenedPort" });

export const ZNetworkSettingsJson = z
  .object({ companyCidrs: z.array(z.string()).describe("The company's networks: the source `company` of rules (the default group's SSH and ping) lets them in") })
  .register(ANSWER_SCHEMAS, { id: "NetworkSettings" });

export type TSecurityRuleJson = z.input<typeof ZSecurityRuleJson>;
export type TSecurityGroupJson = z.input<typeof ZSecurityGroupJson>;

export function toSecurityRuleJson(rule: TSecurityRuleView): TSecurityRuleJson {
  return { ...rule, createdAt: rule.createdAt.toISOString() };
}

export function toSecurityGroupJson(group: TSecurityGroupView): TSecurityGroupJson {
  return { ...group, createdAt: group.createdAt.toISOString(), rules: group.rules.map(toSecurityRuleJson) };
}

export function toOpenedPortJson(opened: TOpenedPort): z.input<typeof ZOpenedPortJson> {
  return { ...opened, rule: toSecurityRuleJson(opened.rule) };
}
