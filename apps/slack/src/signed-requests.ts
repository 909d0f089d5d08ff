import { createHash } from "node:crypto";
import { admitSignedRequest, type TIdentityDeps, type TSignedRequest } from "@carve/core";
import { HTTPModuleFunctions, type AnyMiddlewareArgs, type BufferedIncomingMessage, type Middleware, type ReceiverProcessEventErrorHandlerArgs } from "@slack/bolt";
import type { Logger } from "pino";

/** Where the receiver puts what the replay check needs into each request's context. */
const CONTEXT_KEY = "carveSignedRequest";

/** A signed request that is not run: a replay (401), or a retry already answered (200, nothing done). */
export class SignedRequestNotRun extends Error {
  // Bolt passes errors with a `code` through its error handler unchanged.
  readonly code = "carve_signed_request_not_run";
  constructor(readonly status: 200 | 401) {
    super(status === 401 ? "a replayed Slack request was refused" : "a Slack retry of a request already answered");
  }
}

const header = (request: BufferedIncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** HTTPReceiver's customPropertiesExtractor: the signature, its timestamp, the body's digest and whether Slack says it retries. */
export function signedRequestOf(request: BufferedIncomingMessage): Record<string, TSignedRequest> {
  return {
    [CONTEXT_KEY]: {
      source: "slack",
      signature: header(request, "x-slack-signature") ?? "",
      timestamp: Number(header(request, "x-slack-request-timestamp")),
      bodyDigest: createHash("sha256").update(request.rawBody).digest("hex"),
      retry: header(request, "x-slack-retry-num") !== undefined,
    },
  };
}

/**
 * Global middleware (HTTP mode): runs after Bolt verified the signature and before any listener
 * acknowledges, so a request that must not run is answered without anything done (see
 * admitSignedRequest). Socket Mode requests carry no signature and pass.
 */
export function onceOnly(core: TIdentityDeps, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ context, next }) => {
    const signed = context[CONTEXT_KEY] as TSignedRequest | undefined;
    if (signed) {
      const admission = await admitSignedRequest(core, signed);
      if (admission === "replay") {
        log.warn({ timestamp: signed.timestamp }, "refused a replayed Slack request (its signature was seen before)");
        throw new SignedRequestNotRun(401);
      }
      if (admission === "answered") {
        log.info({ timestamp: signed.timestamp }, "answered a Slack retry of a request already received, without running it again");
        throw new SignedRequestNotRun(200);
      }
    }
    await next();
  };
}

/**
 * HTTPReceiver's processEventErrorHandler: SignedRequestNotRun is answered with its status and no
 * retry asked (X-Slack-No-Retry); any other error as Bolt answers it.
 */
export async function answerNotRun(args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  if (!(args.error instanceof SignedRequestNotRun) || args.response.headersSent) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  args.response.writeHead(args.error.status, { "x-slack-no-retry": "1" });
  args.response.end();
  return true;
}
