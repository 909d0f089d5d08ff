import type { Role } from "@carve/db";
import { requireUser, type TActor, type TVia } from "./actor.ts";

export interface TWhoAmI {
  userId: string;
  username: string;
  role: Role;
  /** What the API key allows; null when acting in person (a session, the local CLI). */
  scope: "Read" | "Write" | null;
  via: TVia;
}

/**
 * Who the caller is acting as: their account, role, and an API key's scope. `carve login` checks
 * a key with it before storing it, and `carve whoami` prints it.
 */
export function whoAmI(actor: TActor): TWhoAmI {
  const user = requireUser(actor);
  return { userId: user.userId, username: user.username, role: user.role, scope: user.scope ?? null, via: user.via };
}
