import type { Prisma } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZPage } from "../validation/fields.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { parseInput } from "../validation/parse-input.ts";
import type { TPage } from "../validation/page.ts";
import { AUDIT_OUTCOMES } from "./record-audit.ts";

const ZInstant = z.coerce.date({ error: "must be a date and time, e.g. 2026-11-27T09:00:00Z" });

export const ZSearchAuditInput = ZPage.extend({
  /** Username or user id of whoever acted. */
  actor: z.string().min(1).max(256).optional(),
  /** An action (`vm.create`), or every action of a kind with a trailing dot (`vm.`). */
  action: z.string().min(1).max(100).optional(),
  /** The target's id or name as recorded. */
  target: z.string().min(1).max(200).optional(),
  outcome: z.enum(AUDIT_OUTCOMES, { error: `must be one of ${AUDIT_OUTCOMES.join(", ")}` }).optional(),
  /** From this instant (inclusive)... */
  from: ZInstant.optional(),
  /** ...to this one (exclusive). */
  to: ZInstant.optional(),
  cursor: z.string().regex(/^\d{1,19}$/, "is not a cursor from a previous page").optional(),
});

export interface TAuditView {
  id: string;
  at: Date;
  actorId: string | null;
  actorName: string | null;
  via: string;
  clientAddr: string | null;
  slackTeam: string | null;
  requestId: string | null;
  /** For via = cli: the operating-system account and host that ran the command. */
  osUser: string | null;
  osHost: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  outcome: string;
  errorCode: string | null;
}

/**
 * The audit trail, newest first, a page at a time (admins only), filtered by who, what, target,
 * outcome and time range. Pages by the entry id (keyset), so a busy trail never shifts a page.
 */
export async function searchAudit(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TPage<TAuditView>> {
  requireAdmin(actor, "search the audit trail");
  const q = parseInput(ZSearchAuditInput, input);
  const where: Prisma.AuditEntryWhereInput[] = [];
  if (q.actor) where.push(isUuid(q.actor) ? { actorId: q.actor } : { actorName: q.actor });
  if (q.action) where.push(q.action.endsWith(".") ? { action: { startsWith: q.action } } : { action: q.action });
  if (q.target) where.push({ OR: [{ targetId: q.target }, { targetName: q.target }] });
  if (q.outcome) where.push({ outcome: q.outcome });
  if (q.from) where.push({ at: { gte: q.from } });
  if (q.to) where.push({ at: { lt: q.to } });
  if (q.cursor) where.push({ id: { lt: BigInt(q.cursor) } });
  const rows = await deps.db.auditEntry.findMany({ where: { AND: where }, orderBy: { id: "desc" }, take: q.limit + 1 });
  const items = rows.slice(0, q.limit).map((row) => ({ ...row, id: row.id.toString() }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? last.id : null };
}
