import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { parseInput } from "../validation/parse-input.ts";
import { requireAdmin, requireWriteScope, type TActor } from "./actor.ts";
import { endSessionsOf } from "./end-session.ts";
import { clearUserThrottle } from "./login-throttle.ts";
import { OPERATOR_USERNAME } from "./operator-actor.ts";
import { hashPassword, ZNewPassword } from "./passwords.ts";
import { resolveUser } from "./resolve-user.ts";

export const ZResetPasswordInput = z.strictObject({
  user: z.string({ error: "is required" }).min(1, "is required").max(256),
  password: ZNewPassword,
});

/**
 * Sets a new password on a local account (admins only; `carve admin reset-password USER` reads
 * it from stdin). Every session of the user ends and its failed sign-in count is cleared.
 * Directory users' passwords live in the directory; the built-in operator never signs in.
 */
export async function resetPassword(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ username: string }> {
  requireAdmin(actor, "reset passwords");
  requireWriteScope(actor, "reset passwords");
  const data = parseInput(ZResetPasswordInput, input);
  const user = await resolveUser(deps.db, data.user);
  if (user.source !== "Local") {
    throw new CarveError("INVALID_INPUT", `${user.username} signs in with the company directory: change the password there, not in Carve.`, {
      fields: [{ field: "user", message: "is a directory user" }],
    });
  }
  if (user.username === OPERATOR_USERNAME) {
    throw new CarveError("INVALID_INPUT", `'${OPERATOR_USERNAME}' is Carve's built-in CLI account and never signs in; create an admin with 'carve user create NAME --role admin --password-stdin'.`, {
      fields: [{ field: "user", message: "is the built-in operator" }],
    });
  }
  const passwordHash = await hashPassword(data.password);
  await deps.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    await endSessionsOf(tx, user.id, "password-reset", deps.now());
  });
  await clearUserThrottle(deps.db, user.username);
  deps.log.info({ username: user.username }, "password reset");
  return { username: user.username };
}
