import type { CoreDeps } from "../context.ts";
import { isUuid } from "../validation/is-uuid.ts";

/**
 * Whether a redeemed console session may go on (the console proxy polls it while a stream is
 * open): ended, with the reason to show, once the VM stopped, moved or was destroyed, or its user
 * lost access. An unknown id reads as ended.
 */
export async function checkConsoleSession(deps: CoreDeps, sessionId: string): Promise<{ open: true } | { open: false; reason: string }> {
  const session = !isUuid(sessionId) ? null : await deps.db.consoleSession.findUnique({ where: { id: sessionId }, select: { endedAt: true, endedReason: true } });
  if (!session) return { open: false, reason: "this console session does not exist" };
  return session.endedAt ? { open: false, reason: session.endedReason ?? "the session ended" } : { open: true };
}

/**
 * Re-checks a redeemed console session every `everyMs` while its stream is open (the console proxy
 * and the CLI's serial console): `onEnded` gets the reason once the session has ended; a check that
 * fails goes to `onError`, and the next one tries again. Returns the function that stops watching.
 */
export function watchConsoleSession(deps: CoreDeps, sessionId: string, everyMs: number, onEnded: (reason: string) => void, onError: (err: unknown) => void): () => void {
  const timer = setInterval(() => {
    checkConsoleSession(deps, sessionId).then((state) => {
      if (!state.open) onEnded(state.reason);
    }, onError);
  }, everyMs);
  return () => clearInterval(timer);
}
