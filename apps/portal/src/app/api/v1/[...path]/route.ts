import { CarveError } from "@carve/core";
import { errorResponse } from "../../../../server/api-route.ts";

/** Any /api/v1 path no route has: the API's JSON 404, not the portal's HTML page. */
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return errorResponse(new CarveError("NOT_FOUND", `The API has no route ${path.slice(0, 200)}: the routes are listed in /api/v1/openapi.json.`));
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
