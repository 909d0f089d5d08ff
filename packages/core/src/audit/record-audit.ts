import type { CoreDeps } from "../context.ts";
import { isCarveError } from "../errors/index.ts";
import { actorId, type TActor } from "../identity/actor.ts";

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

function identifier(value: string | null | undefined): string | null {
  return value ? value.slice(0, MAX_IDENTIFIER) : null;
}

/**
 * Writes one audit row for an action by `actor`, in its own statement after the action's own
 * transaction. A failed write is logged and swallowed: auditing never turns an answer into a
 * failure. The row holds identifiers only (who, what, target, where, outcome), never inputs.
 */
export async function recordAudit(deps: Pick<CoreDeps, "db" | "log" | "now">, actor: TActor, record: TAuditRecord): Promise<void> {
  try {
    await deps.db.auditEntry.create({
      data: {
        at: deps.now(),
        actorId: actorId(actor),
        actorName: actor.kind === "user" ? actor.username : null,
        via: actor.via,
        clientAddr: identifier(actor.origin?.clientAddr),
        slackTeam: identifier(actor.origin?.slackTeam),
        requestId: identifier(actor.origin?.requestId),
        action: record.action,
        targetType: record.target?.type ?? null,
        targetId: identifier(record.target?.id),
        targetName: identifier(record.target?.name),
        outcome: record.outcome,
        errorCode: record.errorCode ?? null,
      },
    });
  } catch (error) {
    deps.log.error({ action: record.action, outcome: record.outcome, reason: error instanceof Error ? error.message : String(error) }, "audit entry could not be written");
  }
}
