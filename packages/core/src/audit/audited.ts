import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { actorId } from "../identity/actor.ts";
import { controlCharFields } from "../validation/control-chars.ts";
import { invalidInput } from "../validation/invalid-input.ts";
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

/**
 * The shared control-character check (see refuseControlChars) over every argument of a use-case, so
 * ones that take a bare id or name (not parsed by parseInput) are covered too, and the refusal is
 * recorded like any other. A bare string is named after the target's field ("id" without one).
 */
function refuseControlCharArgs(target: TAuditTarget<unknown> | undefined, args: unknown[]): void {
  const root = typeof target?.field === "string" ? target.field : "id";
  const fields = args.flatMap((arg) => controlCharFields(arg, typeof arg === "string" ? root : "input"));
  if (fields.length > 0) throw invalidInput(fields);
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
      refuseControlCharArgs(target as TAuditTarget<unknown> | undefined, args);
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

/**
 * How long a successful read is not recorded again for the same actor, origin, read and target: a
 * page that polls every 2 s (the portal's VM list, a job's progress) leaves one row per window
 * rather than one per poll, and the trail still says who looked at what, and when it began.
 */
export const READ_AUDIT_WINDOW_MS = 10 * 60_000;
const MAX_REMEMBERED_READS = 10_000;

// Per database (one per core instance), so separate cores (tests) never share what was recorded;
// on globalThis because a bundler (Next) may load this module once per route in one process.
const READS = Symbol.for("carve.audit.recent-reads");
const lastReads: WeakMap<object, Map<string, number>> = ((globalThis as { [READS]?: WeakMap<object, Map<string, number>> })[READS] ??= new WeakMap());

function readsOf(deps: CoreDeps): Map<string, number> {
  let reads = lastReads.get(deps.db);
  if (!reads) lastReads.set(deps.db, (reads = new Map()));
  return reads;
}

function remember(reads: Map<string, number>, key: string, now: number): void {
  if (reads.size >= MAX_REMEMBERED_READS) {
    for (const [k, at] of reads) if (now - at >= READ_AUDIT_WINDOW_MS) reads.delete(k);
    if (reads.size >= MAX_REMEMBERED_READS) reads.clear();
  }
  reads.set(key, now);
}

/**
 * `audited` for a read (list, get, show, plan): refusals and errors are always recorded; a
 * successful read once per actor, origin, read and target within READ_AUDIT_WINDOW_MS (in this
 * process), so polling does not flood the trail. Sensitive reads (a password reveal) use `audited`.
 */
export function auditedRead<D extends CoreDeps, A extends unknown[], R>(
  action: string,
  useCase: (deps: D, actor: TActor, ...args: A) => Promise<R>,
  target?: TAuditTarget<R>,
): (deps: D, actor: TActor, ...args: A) => Promise<R> {
  const always = audited(action, useCase, target);
  return async (deps, actor, ...args) => {
    const name = target ? targetName(target as TAuditTarget<unknown>, args[0]) : null;
    const key = [actorId(actor), actor.via, actor.origin?.clientAddr, action, name].join("|");
    const reads = readsOf(deps);
    const last = reads.get(key);
    const now = deps.now().getTime();
    if (last === undefined || now - last >= READ_AUDIT_WINDOW_MS) {
      const result = await always(deps, actor, ...args);
      remember(reads, key, now);
      return result;
    }
    return Promise.resolve()
      .then(() => {
        refuseControlCharArgs(target as TAuditTarget<unknown> | undefined, args);
        return useCase(deps, actor, ...args);
      })
      .catch(async (error: unknown) => {
      await recordAudit(deps, actor, { action, ...outcomeOf(error), target: target && { type: target.type, name } });
      throw error;
    });
  };
}
