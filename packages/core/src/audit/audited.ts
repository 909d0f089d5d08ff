import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { outcomeOf, recordAudit } from "./record-audit.ts";

/** What an audited use-case acts on, and where its identifiers are found. */
export interface TAuditTarget<R> {
  /** e.g. "vm", "host", "pool". */
  type: string;
  /**
   * The input field (the first present, given several) naming the target as the caller gave it (a name or id), recorded as
   * `targetName`. A use-case whose first argument is a string (an id or name) uses it directly.
   * Name only identifier fields here: never one that holds a password, token, key or payload.
   * Null: record no name, not even a string argument (one a caller could mistake for a secret).
   */
  field?: string | string[] | null;
  /** The target's id in the result (default: `result.id` when it is a string). */
  id?: (result: R) => string | null | undefined;
}

function targetName(target: TAuditTarget<unknown>, first: unknown): string | null {
  if (target.field === null) return null;
  if (typeof first === "string") return first;
  if (!target.field || typeof first !== "object" || first === null) return null;
  for (const field of [target.field].flat()) {
    const value: unknown = (first as Record<string, unknown>)[field];
    if (typeof value === "string") return value;
  }
  return null;
}

function defaultId(result: unknown): string | null {
  if (typeof result !== "object" || result === null || !("id" in result)) return null;
  return typeof result.id === "string" ? result.id : null;
}

/**
 * Wraps a use-case `(deps, actor, ...args)` so every call leaves one audit row: who, what
 * (`action`), on what (`target`), from where (the actor's via and origin), and how it ended
 * (ok / refused / error with the CarveError code). The row is written after the use-case
 * finished (after its transaction, also when it threw); it never changes the use-case's answer.
 */
export function audited<D extends CoreDeps, A extends unknown[], R>(
  action: string,
  useCase: (deps: D, actor: TActor, ...args: A) => Promise<R>,
  target?: TAuditTarget<R>,
): (deps: D, actor: TActor, ...args: A) => Promise<R> {
  return async (deps, actor, ...args) => {
    const name = target ? targetName(target as TAuditTarget<unknown>, args[0]) : null;
    try {
      const result = await useCase(deps, actor, ...args);
      const id = target ? (target.id ?? defaultId)(result) : null;
      await recordAudit(deps, actor, { action, outcome: "ok", target: target && { type: target.type, id, name } });
      return result;
    } catch (error) {
      await recordAudit(deps, actor, { action, ...outcomeOf(error), target: target && { type: target.type, name } });
      throw error;
    }
  };
}
