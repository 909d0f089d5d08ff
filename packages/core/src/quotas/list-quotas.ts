import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import type { TQuotaView } from "./get-quota.ts";
import { quotaLimits, quotaUsage } from "./quota-usage.ts";

export const ZListQuotasInput = z.object({}).strict();

export interface TQuotaRow extends TQuotaView {
  kind: "user" | "group";
  /** The username or group name. */
  name: string;
}

/**
 * Every quota that is set, users' first then groups', by name, each with the current use of its
 * owners (a group's: all its members' VMs and volumes), so an admin sees who is near a limit.
 * Admins only.
 */
export async function listQuotas(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TQuotaRow[]> {
  requireAdmin(actor, "list quotas");
  parseInput(ZListQuotasInput, input);
  return deps.db.$transaction(async (tx) => {
    const quotas = await tx.quota.findMany({
      select: {
        maxVms: true,
        maxVcpus: true,
        maxMemMiB: true,
        maxStorGiB: true,
        user: { select: { id: true, username: true } },
        group: { select: { name: true, members: { select: { userId: true } } } },
      },
    });
    const rows = quotas.flatMap((q): { kind: TQuotaRow["kind"]; name: string; quota: typeof q; owners: string[] }[] => {
      if (q.user) return [{ kind: "user" as const, name: q.user.username, quota: q, owners: [q.user.id] }];
      if (q.group) return [{ kind: "group" as const, name: q.group.name, quota: q, owners: q.group.members.map((m) => m.userId) }];
      return [];
    });
    rows.sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind === "user" ? -1 : 1));
    const views: TQuotaRow[] = [];
    // One at a time: the queries share the transaction's one connection anyway.
    for (const row of rows) views.push({ kind: row.kind, name: row.name, scope: `${row.kind} ${row.name}`, limits: quotaLimits(row.quota), use: await quotaUsage(tx, row.owners) });
    return views;
  });
}
