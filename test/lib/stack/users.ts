import type { CoreDeps, TUserActor } from "@carve/core";

/** A local account (no password: it cannot sign in), with an email when a Slack user is to link to it, and the actor acting as it. */
export async function createUser(core: CoreDeps, username: string, role: "Admin" | "User", options: { email?: string } = {}): Promise<TUserActor> {
  const user = await core.db.user.create({ data: { username, source: "Local", role, email: options.email ?? null } });
  return { kind: "user", userId: user.id, username, role, via: "cli" };
}
