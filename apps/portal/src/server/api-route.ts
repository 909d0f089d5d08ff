import { authenticateApiKey, CarveError, checkRequestParams, FRONT_DOOR_HEADER, frontDoorOf, toCarveError, type TUserActor } from "@carve/core";
import { env } from "../env.ts";
import { sessionActor } from "./auth.ts";
import { requestOrigin, withOrigin } from "./client-address.ts";
import { portalCore, type TPortalCore } from "./core.ts";
import { fromPortalOrigin } from "./origin.ts";
import { refuseLargeBody } from "./request-body.ts";

export { jsonBody, optionalJsonBody } from "./request-body.ts";

export interface TApiContext<P> {
  actor: TUserActor;
  core: TPortalCore;
  request: Request;
  params: P;
  /**
   * Routes with `idempotency`: the caller's `Idempotency-Key`, scoped to them
   * (`api:<user id>:<key>`), for the route's use-case to record with what it creates; null when
   * the request has none.
   */
  requestKey: string | null;
}

export interface TApiRouteOptions {
  /**
   * The route creates something and accepts an `Idempotency-Key` header: its handler passes
   * `requestKey` to a use-case that records it in the create's own transaction (createVmOnce), so
   * a retry with the key answers the first result, even after a crash between commit and answer.
   */
  idempotency?: boolean;
}

/** Keys are opaque to us (a UUID, say): printable ASCII only, so one never carries a control character. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's Idempotency-Key scoped to its caller, or null when it has none. */
function idempotencyKey(request: Request, actor: TUserActor): string | null {
  const key = request.headers.get("idempotency-key");
  if (key === null) return null;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new CarveError("INVALID_INPUT", "Invalid input. Idempotency-Key: must be 1 to 255 printable ASCII characters without spaces, e.g. a UUID", {
      fields: [{ field: "Idempotency-Key", message: "must be 1 to 255 printable ASCII characters without spaces, e.g. a UUID" }],
    });
  }
  return `api:${actor.userId}:${key}`;
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

/**
 * A CarveError as the API answers it: `{ code, message, fields? }` with the code's HTTP status; the
 * lookups it names are the API's (GET /api/v1/templates), or the CLI's for the remote CLI, which
 * says so in the FRONT_DOOR_HEADER.
 */
export function errorResponse(error: unknown, core?: TPortalCore, headers?: HeadersInit, request?: Request): Response {
  const carveError = toCarveError(error);
  if (!carveError.expected) core?.log.error({ err: error }, "portal API request failed");
  const door = frontDoorOf(request?.headers.get(FRONT_DOOR_HEADER), "api");
  return Response.json(carveError.forDoor(door), { status: carveError.httpStatus, ...(headers ? { headers } : {}) });
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
export function apiRoute<P extends Record<string, string | string[]> = Record<string, never>>(need: TNeed, handle: (context: TApiContext<P>) => Promise<unknown>, status = 200, options: TApiRouteOptions = {}) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const core = portalCore();
    try {
      const actor = withOrigin(await apiActor(core, request, need), request.headers);
      refuseLargeBody(request);
      // A route without dynamic segments is handed no params.
      const params = ((await context.params) ?? {}) as P;
      await checkRequestParams(core, actor, { request: requestName(request, params), params: requestParams(request, params) });
      const requestKey = options.idempotency ? idempotencyKey(request, actor) : null;
      const result = await handle({ actor, core, request, params, requestKey });
      // Tests only: dies exactly between the commit and the answer. A kill -9 from outside would
      // race the answer (it is written within milliseconds), so the test could not know which side
      // of it the kill fell on; SIGKILL of itself is the same kill at a known point (no handler, no flush).
      if (requestKey !== null && env().CARVE_TEST_KILL_BEFORE_ANSWER) process.kill(process.pid, "SIGKILL");
      return result instanceof Response ? result : Response.json(result, { status });
    } catch (error) {
      return errorResponse(error, core, undefined, request);
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
