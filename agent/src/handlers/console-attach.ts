import { CONSOLE_KEY_BYTES, CONSOLE_SESSION_TTL_MS, SEAL_PURPOSE_CONSOLE_KEY } from "@carve/protocol";
import { JobRefusedError } from "../jobs/job-errors.ts";
import type { TJobHandler } from "./context.ts";

/**
 * Registers a console session on this agent's console listener (issue 18): the session's key is
 * opened from its seal and kept in memory only, for 30 s or until the one connection. A job that
 * waited in the queue past its expiry registers nothing (core has given up on it by then).
 */
export const consoleAttach: TJobHandler<"console.attach"> = async (payload, ctx) => {
  const listener = ctx.consoleListener;
  if (!listener) throw new JobRefusedError("this agent serves no consoles (its console listener is not running): check CARVE_AGENT_CONSOLE_LISTEN and the agent's log");
  const ttlMs = Math.min(CONSOLE_SESSION_TTL_MS, Date.parse(payload.expiresAt) - Date.now());
  if (ttlMs <= 0) return { sessionId: payload.sessionId, registered: false };
  const key = Buffer.from(ctx.openSecret(payload.key, SEAL_PURPOSE_CONSOLE_KEY), "base64");
  if (key.length !== CONSOLE_KEY_BYTES) throw new JobRefusedError(`the console key is ${key.length} bytes, not ${CONSOLE_KEY_BYTES}: the control plane and this agent disagree on the protocol`);
  listener.register({ sessionId: payload.sessionId, domain: payload.domain, kind: payload.kind, key, ttlMs });
  return { sessionId: payload.sessionId, registered: true };
};
