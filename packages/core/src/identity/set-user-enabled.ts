import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { parseInput } from "../validation/parse-input.ts";
import { requireAdmin, requireWriteScope, type TActor } from "./actor.ts";
import { disableAccount, enableAccount, type TOrphanVm } from "./disable-account.ts";
import { OPERATOR_USERNAME } from "./operator-actor.ts";
import { resolveUser } from "./resolve-user.ts";

export const ZSetUserEnabledInput = z.object({
  user: z.string({ error: "is required" }).min(1, "is required").max(256),
  enabled: z.boolean({ error: "must be true or false" }),
});

/**
 * Disables or enables an account (admins only). Disabling ends every session and stops the
 * user's API keys and Slack access at once, and lists their VMs for the admin; an admin cannot
 * disable themself or the built-in operator.
 */
export async function setUserEnabled(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ username: string; enabled: boolean; vms: TOrphanVm[] }> {
  requireAdmin(actor, "disable or enable accounts");
  requireWriteScope(actor, "disable or enable accounts");
  const data = parseInput(ZSetUserEnabledInput, input);
  const user = await resolveUser(deps.db, data.user);
  if (!data.enabled && (user.username === OPERATOR_USERNAME || (actor.kind === "user" && actor.userId === user.id))) {
    throw new CarveError("INVALID_INPUT", `${user.username} cannot be disabled: it is ${user.username === OPERATOR_USERNAME ? "Carve's built-in CLI account" : "your own account"}.`, {
      fields: [{ field: "user", message: "cannot be disabled" }],
    });
  }
  const vms = await deps.db.$transaction(async (tx) => {
    const current = await tx.user.findUniqueOrThrow({ where: { id: user.id }, select: { disabledAt: true } });
    if (data.enabled) {
      if (current.disabledAt) await enableAccount(tx, actor, user);
      return [];
    }
    return current.disabledAt ? [] : disableAccount(tx, actor, user, "admin", deps.now());
  });
  return { username: user.username, enabled: data.enabled, vms };
}
