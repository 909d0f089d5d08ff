import { authenticateApiKey, CarveError, checkRequestParams, toCarveError, type TUserActor } from "@carve/core";
import { sessionActor } from "./auth.ts";
import { requestOrigin, withOrigin } from "./client-address.ts";
import { portalCore, type TPortalCore } from "./core.ts";
import { fromPortalOrigin } from "./origin.ts";
import { refuseLargeBody } from "./request-body.ts";

export { jsonBody } from "./request-body.ts";

export interface TApiContext<P> {
  actor: TUserActor;
  core: TPortalCore;
  request: Request;
  params: P;
}

type TNeed = "Read" | "Write";

/**
 * Who is calling: an API key (`Authorization: Bearer …`, checked for the scope the route needs)
 * or the session cookie. Credentials first (none at all is 401), then, for a state-changing
 * request made with the cookie, the Origin: it must be the portal's own, so another site cannot
 * make a signed-in browser act (API-key calls carry no ambient credential and need no such check).
 */
async function apiActor(core: TPortalCore, request: Request, need: TNeed): Promise<TUserActor> {
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const [scheme, key] = authorization.split(/\s+/, 2);
    if (scheme?.toLowerCase() !== "bearer" || !key) throw new CarveError("UNAUTHENTICATED", "Send the API key as 'Authorization: Bearer <key>'.");
    return authenticateApiKey(core, { key, via: "api", need, origin: requestOrigin(request.headers) });
  }
  const actor = await sessionActor();
  if (need === "Write" && !fromPortalOrigin(request)) {
    throw new CarveError("FORBIDDEN", "This request did not come from the Carve portal's own pages (Origin check). Use the portal, or an API key.");
  }
  return actor;
}

/** A CarveError as the API answers it: `{ code, message, fields? }` with the code's HTTP status. */
export function errorResponse(error: unknown, core?: TPortalCore, headers?: HeadersInit): Response {
  const carveError = toCarveError(error);
  if (!carveError.expected) core?.log.error({ err: error }, "portal API request failed");
  return Response.json(carveError.toJSON(), { status: carveError.httpStatus, ...(headers ? { headers } : {}) });
}

/**
 * The request as its route names it ("POST /api/v1/vms/{id}/{action}"), for the audit trail: each
 * path segment that is a parameter's value is written as the parameter's name.
 */
function requestName(request: Request, params: Record<string, string | string[]>): string {
  const byValue = new Map(Object.entries(params).flatMap(([name, value]) => [value].flat().map((v) => [v, name] as const)));
  const path = new URL(request.url).pathname.split("/").map((segment) => {
    const name = byValue.get(safeDecode(segment));
    return name === undefined ? segment : `{${name}}`;
  });
  return `${request.method} ${path.join("/")}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Path and query parameters by name (a repeated query parameter as a list). */
function requestParams(request: Request, params: Record<string, string | string[]>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URL(request.url).searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [seen, value].flat();
  }
  return { ...query, ...params };
}

/**
 * A route handler: authenticates, refuses an oversized body and path or query parameters holding a
 * control character (audited), runs `handle` (which parses its input and calls one core use-case)
 * and answers JSON, or the error. A handler may return a Response of its own.
 */
export function apiRoute<P extends Record<string, string | string[]> = Record<string, never>>(need: TNeed, handle: (context: TApiContext<P>) => Promise<unknown>, status = 200) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const core = portalCore();
    try {
      const actor = withOrigin(await apiActor(core, request, need), request.headers);
      refuseLargeBody(request);
      // A route without dynamic segments is handed no params.
      const params = ((await context.params) ?? {}) as P;
      await checkRequestParams(core, actor, { request: requestName(request, params), params: requestParams(request, params) });
      const result = await handle({ actor, core, request, params });
      return result instanceof Response ? result : Response.json(result, { status });
    } catch (error) {
      return errorResponse(error, core);
    }
  };
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type TMethod = (typeof METHODS)[number];
type THandler = (request: Request) => Promise<Response>;

/**
 * JSON 405 answers, with the `Allow` header, for the methods a route file does not have (Next
 * answers those with an empty 405): `export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST")`.
 */
export function otherMethods(...allowed: TMethod[]): Record<TMethod, THandler> {
  const allow = [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const answer: THandler = async (request) =>
    errorResponse(new CarveError("METHOD_NOT_ALLOWED", `${new URL(request.url).pathname} does not take ${request.method}; it takes ${allowed.join(", ")} (see /api/v1/openapi.json).`), undefined, { Allow: allow });
  return Object.fromEntries(METHODS.map((method) => [method, answer])) as Record<TMethod, THandler>;
}
