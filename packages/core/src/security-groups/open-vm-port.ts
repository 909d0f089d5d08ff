import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";
import { readNetworkSettings } from "../settings/network-settings.ts";
import { insertRule, resolveSource } from "./add-security-group-rule.ts";
import { dispatchFilterJobs, recordFilterJobs, vmsAffectedBy } from "./filter-jobs.ts";
import { ZPort, ZRuleSource } from "./security-group-fields.ts";
import type { TSecurityRuleView } from "./security-group-view.ts";

export const ZOpenVmPortInput = z.strictObject({
  vm: z.string({ error: "is required: a VM name or id" }).min(1, "is required: a VM name or id").max(200),
  port: ZPort,
  protocol: z.enum(["tcp", "udp"], { error: "must be tcp or udp" }).default("tcp"),
  /** Who may come in: a CIDR or address, another of the owner's groups, or "company" (the default). */
  source: ZRuleSource,
});

/** The group `vm open` adds its rules to: the VM's own. */
export const vmGroupName = (vmName: string): string => `vm-${vmName}`;

/** What `vm open` did: the rule (new, or the same one already there) in the VM's own group. */
export interface TOpenedPort {
  vm: { id: string; name: string };
  group: { id: string; name: string };
  rule: TSecurityRuleView;
  added: boolean;
  jobs: number;
  /** The company networks when the rule's source is "company" (what that means now), else null. */
  companyCidrs: string[] | null;
}

/**
 * The `/vm open NAME 8080` shortcut (owner or admin): lets the port in from the company network
 * (or `source`), through a rule in the VM's own group "vm-<name>" (of the VM's owner), which is
 * created and put on the VM when missing. Opening a port that is open already changes nothing.
 * @throws CarveError VM_NOT_FOUND, SECURITY_GROUP_NOT_FOUND (a source group), INVALID_INPUT
 */
export async function openVmPort(deps: CoreDeps, actor: TActor, input: unknown): Promise<TOpenedPort> {
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
    const source = await resolveSource(tx, actor, group, data.source);
    const added = await insertRule(tx, actor, group, { protocol: data.protocol, portFrom: data.port, portTo: data.port, ...source, description: `opened with 'vm open ${vm.name} ${data.port}'` });
    const affected = added.added || joined.count > 0 ? await vmsAffectedBy(tx, [group.id], { asSources: joined.count > 0 }) : [];
    const jobs = await recordFilterJobs(tx, deps, actor, affected);
    const companyCidrs = added.rule.sourceKind === "company" ? (await readNetworkSettings(tx)).companyCidrs : null;
    return { result: { vm, group: { id: group.id, name: group.name }, ...added, jobs: jobs.length, companyCidrs }, jobs };
  });
  await dispatchFilterJobs(deps, jobs);
  return result;
}

/** What a front door shows of `vm open`'s answer (a local one, or the REST API's JSON of it). */
export type TOpenedPortText = Pick<TOpenedPort, "added" | "companyCidrs"> & { vm: { name: string }; rule: Pick<TSecurityRuleView, "protocol" | "portFrom" | "sourceKind" | "source"> };

/** "web-1: tcp 8080 is open from 10.0.0.0/8 (company network)": `vm open`'s answer, the same in every front door. */
export function describeOpenedPort(opened: TOpenedPortText): string {
  const { rule } = opened;
  const from = rule.sourceKind === "company" ? `${(opened.companyCidrs ?? []).join(", ")} (company network)` : rule.sourceKind === "group" ? `the VMs of security group ${rule.source}` : rule.source;
  return `${opened.vm.name}: ${rule.protocol} ${rule.portFrom ?? ""} ${opened.added ? "is open" : "was open already"} from ${from}`;
}
