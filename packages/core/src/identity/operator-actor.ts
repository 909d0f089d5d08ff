import type { CoreDeps } from "../context.ts";
import type { TActor, TOrigin } from "./actor.ts";

/** The built-in account the server-side CLI acts as. It has no password and cannot sign in. */
export const OPERATOR_USERNAME = "operator";

/**
 * The actor for `carve` run on the management server by someone who can already reach its
 * database: an administrator. The account is created on first use, without any password.
 * `origin` says who ran it (the CLI passes the OS user and host), for the audit trail.
 */
export async function operatorActor(deps: CoreDeps, origin?: TOrigin): Promise<TActor> {
  const user = await deps.db.user.upsert({
    where: { username: OPERATOR_USERNAME },
    create: { username: OPERATOR_USERNAME, source: "Local", role: "Admin", displayName: "Carve operator" },
    update: {},
    select: { id: true, username: true, role: true },
  });
  return { kind: "user", userId: user.id, username: user.username, role: user.role, via: "cli", ...(origin ? { origin } : {}) };
}
