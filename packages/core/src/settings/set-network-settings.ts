import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { invalidInput } from "../validation/invalid-input.ts";
import { parseInput } from "../validation/parse-input.ts";
import { dispatchFilterJobs, recordFilterJobs } from "../security-groups/filter-jobs.ts";
import { parseSourceCidr } from "../security-groups/security-group-fields.ts";
import { readNetworkSettings, writeNetworkSettings, type TNetworkSettings } from "./network-settings.ts";

/** The changes (a field left out stays as it is); the REST API's body as it is. */
export const ZSetNetworkSettingsInput = z
  .object({
    /** The company's networks: rules with the source "company" (the default group's SSH and ICMP) let them in. */
    companyCidrs: z.array(z.string().max(18), { error: "must be a list of IPv4 CIDRs, e.g. [\"10.0.0.0/8\"]" }).min(1, "needs at least one CIDR: the networks the company's machines are on").max(100).optional(),
  })
  .strict();

/**
 * Changes the network settings (admins only). A new company network re-applies the filters of
 * every VM whose groups have a rule from "company" (vm.filter jobs, after the commit).
 * @throws CarveError INVALID_INPUT (naming each bad CIDR and its fix), FORBIDDEN
 */
export async function setNetworkSettings(deps: CoreDeps, actor: TActor, input: unknown): Promise<TNetworkSettings> {
  requireAdmin(actor, "change network settings");
  const changes = parseInput(ZSetNetworkSettingsInput, input);
  if (changes.companyCidrs === undefined) return readNetworkSettings(deps.db);
  const cidrs: string[] = [];
  const wrong = changes.companyCidrs.flatMap((text, i) => {
    const parsed = parseSourceCidr(text);
    if ("error" in parsed) return [{ field: `companyCidrs[${i}]`, message: parsed.error }];
    cidrs.push(parsed.cidr);
    return [];
  });
  if (wrong.length > 0) throw invalidInput(wrong);
  const { settings, jobs } = await deps.db.$transaction(async (tx) => {
    await writeNetworkSettings(tx, { companyCidrs: [...new Set(cidrs)] }, actorId(actor));
    await recordEvent(tx, { type: "settings.network", actor, message: `company networks are now ${cidrs.join(", ")}`, data: { companyCidrs: cidrs } });
    const vms = await tx.vmSecurityGroup.findMany({ where: { group: { rules: { some: { sourceCidr: null, sourceGroupId: null } } } }, select: { vmId: true }, distinct: ["vmId"] });
    return { settings: await readNetworkSettings(tx), jobs: await recordFilterJobs(tx, deps, actor, vms.map((v) => v.vmId)) };
  });
  await dispatchFilterJobs(deps, jobs);
  return settings;
}
