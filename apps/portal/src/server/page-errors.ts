import { isCarveError } from "@carve/core";
import { forbidden, notFound } from "next/navigation";

/**
 * For pages: core's refusals become the matching page (403 or 404, rendered by the framework with
 * that status); anything else propagates to the error page.
 */
export function refusalPage(error: unknown): never {
  if (isCarveError(error) && error.httpStatus === 403) forbidden();
  if (isCarveError(error) && error.httpStatus === 404) notFound();
  throw error;
}
