import { outcomeOf, recordAudit } from "../audit/record-audit.ts";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { refuseControlChars } from "./control-chars.ts";

export interface TRequestParams {
  /** The request as its route names it, e.g. "GET /api/v1/vms/{id}" (recorded as the target). */
  request: string;
  /** Path and query parameters by name: ids, names and filters, so no control character at all. */
  params: Record<string, string | string[]>;
}

/**
 * The REST edge's check of path and query parameters (some never reach a use-case's parseInput):
 * INVALID_INPUT naming each one that holds a control character, recorded in the audit trail as a
 * refused `api.request`. A request that passes leaves no row of its own (its use-case records it).
 */
export async function checkRequestParams(deps: CoreDeps, actor: TActor, input: TRequestParams): Promise<void> {
  try {
    refuseControlChars(input.params, "input", "line");
  } catch (error) {
    await recordAudit(deps, actor, { action: "api.request", ...outcomeOf(error), target: { type: "request", name: input.request } });
    throw error;
  }
}
