import { authenticateApiKey, CarveError, toCarveError, type TUserActor } from "@carve/core";
import { env } from "../env.ts";
import { sessionActor } from "./auth.ts";
import { requestOrigin, withOrigin } from "./client-address.ts";
import { portalCore, type TPortalCore } from "./core.ts";

export interface TApiContext<P> {
  actor: TUserActor;
  core: TPortalCore;
  request: Request;
  params: P;
}

type TNeed = "Read" | "Write";

/**
 * Who is calling: an API key (`Authorization: Bearer …`, checked for the scope the route needs)
 * or the session cookie. A state-changing request made with the cookie must come from the
 * portal's own origin, so another site cannot make a signed-in browser act (API-key calls carry
 * no ambient credential and need no such check).
 */
async function apiActor(core: TPortalCore, request: Request, need: TNeed): Promise<TUserActor> {
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const [scheme, key] = authorization.split(/\s+/, 2);
    if (scheme?.toLowerCase() !== "bearer" || !key) throw new CarveError("UNAUTHENTICATED", "Send the API key as 'Authorization: Bearer <key>'.");
    return authenticateApiKey(core, { key, via: "api", need, origin: requestOrigin(request.headers) });
  }
  if (need === "Write") {
    const origin = request.headers.get("origin");
    if (origin !== new URL(env().NEXTAUTH_URL).origin) {
      throw new CarveError("FORBIDDEN", "This request did not come from the Carve portal's own pages (Origin check). Use the portal, or an API key.");
    }
  }
  return sessionActor();
}

/** A CarveError as the API answers it: `{ code, message, fields? }` with the code's HTTP status. */
export function errorResponse(error: unknown, core?: TPortalCore): Response {
  const carveError = toCarveError(error);
  if (!carveError.expected) core?.log.error({ err: error }, "portal API request failed");
  return Response.json(carveError.toJSON(), { status: carveError.httpStatus });
}

/**
 * A route handler: authenticates, runs `handle` (which parses its input and calls one core
 * use-case) and answers JSON, or the error. A handler may return a Response of its own.
 */
export function apiRoute<P = Record<string, never>>(need: TNeed, handle: (context: TApiContext<P>) => Promise<unknown>, status = 200) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const core = portalCore();
    try {
      const actor = withOrigin(await apiActor(core, request, need), request.headers);
      const result = await handle({ actor, core, request, params: await context.params });
      return result instanceof Response ? result : Response.json(result, { status });
    } catch (error) {
      return errorResponse(error, core);
    }
  };
}

/** The request's JSON body; a body that is not JSON is INVALID_INPUT. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new CarveError("INVALID_INPUT", "Invalid input. body: is not JSON: send a JSON object with Content-Type: application/json", {
      fields: [{ field: "body", message: "is not JSON" }],
    });
  }
}
