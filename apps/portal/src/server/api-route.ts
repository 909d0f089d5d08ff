import { authenticateApiKey, CarveError, toCarveError, type TUserActor } from "@carve/core";
import { env } from "../env.ts";
import { sessionActor } from "./auth.ts";
import { portalCore, type TPortalCore } from "./core.ts";

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
 * or the session cookie. A state-changing request made with the cookie must come from the
 * portal's own origin, so another site cannot make a signed-in browser act (API-key calls carry
 * no ambient credential and need no such check).
 */
async function apiActor(core: TPortalCore, request: Request, need: TNeed): Promise<TUserActor> {
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const [scheme, key] = authorization.split(/\s+/, 2);
    if (scheme?.toLowerCase() !== "bearer" || !key) throw new CarveError("UNAUTHENTICATED", "Send the API key as 'Authorization: Bearer <key>'.");
    return authenticateApiKey(core, { key, via: "api", need });
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
export function apiRoute<P = Record<string, never>>(need: TNeed, handle: (context: TApiContext<P>) => Promise<unknown>, status = 200, options: TApiRouteOptions = {}) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const core = portalCore();
    try {
      const actor = await apiActor(core, request, need);
      const requestKey = options.idempotency ? idempotencyKey(request, actor) : null;
      const result = await handle({ actor, core, request, params: await context.params, requestKey });
      // Tests only: dies exactly between the commit and the answer. A kill -9 from outside would
      // race the answer (it is written within milliseconds), so the test could not know which side
      // of it the kill fell on; SIGKILL of itself is the same kill at a known point (no handler, no flush).
      if (requestKey !== null && env().CARVE_TEST_KILL_BEFORE_ANSWER) process.kill(process.pid, "SIGKILL");
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
