import type { CoreDeps, TActor } from "@carve/core";

/** A local account (no password: it cannot sign in) and the actor acting as it. */
export async function createUser(core: CoreDeps, username: string, role: "Admin" | "User"): Promise<TActor> {
  const user = await core.db.user.create({ data: { username, source: "Local", role } });
  return { kind: "user", userId: user.id, username, role, via: "cli" };
}
