import type { Prisma } from "@carve/db";
import { Batcher, batcherOf, type TBatchOutcome } from "../batching/batcher.ts";
import type { CoreDeps } from "../context.ts";
import { isCarveError } from "../errors/index.ts";
import { actorId, type TActor } from "../identity/actor.ts";
import { escapeControlChars } from "../validation/control-chars.ts";

/** How an audited action ended: done, refused (bad input, not allowed, not found, conflict) or failed. */
export type TAuditOutcome = "ok" | "refused" | "error";

export const AUDIT_OUTCOMES = ["ok", "refused", "error"] as const satisfies readonly TAuditOutcome[];

/** Identifiers longer than this are cut: an audit row names things, it never carries payloads. */
const MAX_IDENTIFIER = 200;

export interface TAuditRecord {
  action: string;
  outcome: TAuditOutcome;
  errorCode?: string | null;
  target?: { type: string; id?: string | null; name?: string | null } | undefined;
}

/**
 * The outcome and code of an action that threw: a CarveError answered with a 4xx status is a
 * refusal (the caller can fix it), anything else an error (INTERNAL for non-Carve errors).
 */
export function outcomeOf(error: unknown): { outcome: TAuditOutcome; errorCode: string } {
  if (isCarveError(error)) return { outcome: error.httpStatus < 500 ? "refused" : "error", errorCode: error.code };
  return { outcome: "error", errorCode: "INTERNAL" };
}

/** An identifier as stored: cut, and control characters written out (a refused NUL is still recorded: PostgreSQL cannot store it). */
function identifier(value: string | null | undefined): string | null {
  return value ? escapeControlChars(value.slice(0, MAX_IDENTIFIER)) : null;
}

/** Audit rows written together at most, when many actions end at once. */
const MAX_BATCH = 200;

/**
 * Writes one audit row for an action by `actor`, after the action's own transaction, before the
 * action answers. Rows of actions that end at the same time share one statement (a burst of creates
 * writes its trail in a few round trips, not one per create). A failed write is logged and
 * swallowed: auditing never turns an answer into a failure. The row holds identifiers only (who,
 * what, target, where, outcome), never inputs.
 */
export async function recordAudit(deps: Pick<CoreDeps, "db" | "log" | "now">, actor: TActor, record: TAuditRecord): Promise<void> {
  const batcher = batcherOf(deps.db, "audit", () =>
    new Batcher(async (rows: Prisma.AuditEntryCreateManyInput[]) => {
      if (rows.length > 1) {
        const failure = await deps.db.auditEntry.createMany({ data: rows }).then(() => null, (error: unknown) => error);
        if (failure === null) return rows.map(() => ({ ok: true as const, value: undefined }));
        deps.log.warn({ rows: rows.length, reason: failure instanceof Error ? failure.message : String(failure) }, "audit rows could not be written together; writing them one by one");
      }
      // Alone, or one bad row among many: each row on its own (one after another, so a database in
      // trouble is not handed a burst), and one cannot take the others down.
      const outcomes: TBatchOutcome<undefined>[] = [];
      for (const data of rows) {
        outcomes.push(await deps.db.auditEntry.create({ data, select: { id: true } }).then(() => ({ ok: true as const, value: undefined }), (error: unknown) => ({ ok: false as const, error })));
      }
      return outcomes;
    }, { maxBatch: MAX_BATCH }),
  );
  try {
    await batcher.submit({
      at: deps.now(),
      actorId: actorId(actor),
      actorName: actor.kind === "user" ? actor.username : null,
      via: actor.via,
      clientAddr: identifier(actor.origin?.clientAddr),
      slackTeam: identifier(actor.origin?.slackTeam),
      requestId: identifier(actor.origin?.requestId),
      osUser: identifier(actor.origin?.osUser),
      osHost: identifier(actor.origin?.osHost),
      action: record.action,
      targetType: record.target?.type ?? null,
      targetId: identifier(record.target?.id),
      targetName: identifier(record.target?.name),
      outcome: record.outcome,
      errorCode: record.errorCode ?? null,
    });
  } catch (error) {
    deps.log.error({ action: record.action, outcome: record.outcome, reason: error instanceof Error ? error.message : String(error) }, "audit entry could not be written");
  }
}
