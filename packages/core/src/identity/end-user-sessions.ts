import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { parseInput } from "../validation/parse-input.ts";
import { requireAdmin, requireWriteScope, type TActor } from "./actor.ts";
import { endSessionsOf } from "./end-session.ts";
import { resolveUser } from "./resolve-user.ts";

export const ZEndUserSessionsInput = z.object({
  user: z.string({ error: "is required" }).min(1, "is required").max(256),
});

/**
 * Signs a user out everywhere (admins only; `carve user sign-out USER`, the admin users page):
 * every portal session of theirs ends, so their next request with any copy of a cookie is
 * refused. API keys are not sessions: revoke those separately. Records a `user.signed-out` event.
 */
export async function endUserSessions(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ username: string; ended: number }> {
  requireAdmin(actor, "sign other users out");
  requireWriteScope(actor, "sign users out");
  const data = parseInput(ZEndUserSessionsInput, input);
  const user = await resolveUser(deps.db, data.user);
  const ended = await deps.db.$transaction(async (tx) => {
    const count = await endSessionsOf(tx, user.id, "ended-by-admin", deps.now());
    await recordEvent(tx, { type: "user.signed-out", actor, message: `${user.username} was signed out everywhere by an admin (${count} session${count === 1 ? "" : "s"} ended)`, data: { userId: user.id, sessions: count } });
    return count;
  });
  return { username: user.username, ended };
}
