import { isCarveError } from "@carve/core";
import { forbidden, notFound } from "next/navigation";

/**
 * For pages: core's refusals become the matching page (403 or 404, rendered by the framework with
 * that status; an address core refuses as input, such as a VM id holding a NUL, names no page:
 * 404); anything else propagates to the error page.
 */
export function refusalPage(error: unknown): never {
  if (isCarveError(error) && error.httpStatus === 403) forbidden();
  if (isCarveError(error) && (error.httpStatus === 404 || error.code === "INVALID_INPUT")) notFound();
  throw error;
}
