import { toCarveError, type TFieldError } from "@carve/core";
import { portalCore } from "./core.ts";

/** Failures a form or button shows: the message, each field's error next to its field, and the code. */
export interface TActionResult {
  code: string | null;
  message: string | null;
  fields: TFieldError[];
}

export const SUCCEEDED: TActionResult = { code: null, message: null, fields: [] };

/** A server action's failure as the page shows it; unexpected ones are logged (never the input). */
export function failure(error: unknown): TActionResult {
  const carveError = toCarveError(error);
  if (!carveError.expected) portalCore().log.error({ err: error }, "portal action failed");
  const { message, fields = [] } = carveError.forDoor("portal");
  return { code: carveError.code, message, fields };
}
