import { createHash } from "node:crypto";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { parseInput } from "../validation/parse-input.ts";

/** How long after its signed timestamp a request is still accepted (Slack's window; Bolt checks it). */
const SIGNATURE_WINDOW_MS = 5 * 60_000;
/** Kept this much longer than the window, for clock skew between hosts. */
const SKEW_MS = 60_000;
/** How long a body is remembered for the sender's retries (Slack retries at once, after 1 and after 5 minutes). */
const RETRY_MEMORY_MS = SIGNATURE_WINDOW_MS + 5 * 60_000;

export const ZSignedRequest = z.object({
  /** Who signed it, e.g. "slack": each sender's requests are remembered apart. */
  source: z.string().regex(/^[a-z]+$/),
  /** The request's signature as sent (e.g. X-Slack-Signature), already verified by the caller. */
  signature: z.string().min(1).max(200),
  /** The signed timestamp, in seconds since the epoch (e.g. X-Slack-Request-Timestamp). */
  timestamp: z.number().int(),
  /** SHA-256 (hex) of the raw body. */
  bodyDigest: z.string().regex(/^[0-9a-f]{64}$/),
  /** The sender says it is retrying a request it thinks went unanswered (Slack's X-Slack-Retry-Num). */
  retry: z.boolean(),
});
export type TSignedRequest = z.input<typeof ZSignedRequest>;

/** What to do with a signed request: run it, refuse it as a replay, or answer it without running it again. */
export type TAdmission = "run" | "replay" | "answered";

/**
 * Lets each signed request run once. A valid signature stays valid for its sender's whole window
 * (5 minutes for Slack), so anyone who saw a request could send it again, and it would run again (a
 * second reboot): every signature is remembered in Redis until its timestamp leaves the window, and
 * one seen before is a replay. The sender's own retries (the same body, signed again or not) of a
 * request that arrived are answered without running again; a retry of one that never arrived runs.
 * Only a holder of the signing secret can sign a new request, so nothing else needs remembering.
 */
export async function admitSignedRequest(deps: CoreDeps, input: TSignedRequest): Promise<TAdmission> {
  const request = parseInput(ZSignedRequest, input);
  const digest = createHash("sha256").update(request.signature).digest("hex");
  const validForMs = request.timestamp * 1000 + SIGNATURE_WINDOW_MS - deps.now().getTime();
  const [newSignature, newBody] = await Promise.all([
    deps.queues.remember(`${request.source}:signature:${digest}`, Math.max(validForMs, 0) + SKEW_MS),
    deps.queues.remember(`${request.source}:body:${request.bodyDigest}`, RETRY_MEMORY_MS),
  ]);
  if (request.retry) return newSignature && newBody ? "run" : "answered";
  return newSignature ? "run" : "replay";
}
