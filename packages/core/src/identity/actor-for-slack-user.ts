import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TUserActor } from "./actor.ts";

/**
 * The actor for a Slack user linked to a Carve account; refuses unlinked and disabled users, so a
 * user disabled by a directory sync loses Slack access on their next command.
 */
export async function actorForSlackUser(deps: CoreDeps, slackUserId: string): Promise<TUserActor> {
  const user = await deps.db.user.findUnique({ where: { slackUserId }, select: { id: true, username: true, role: true, disabledAt: true } });
  if (!user) throw new CarveError("UNAUTHENTICATED", "Your Slack account is not linked to a Carve account yet. Sign in to the Carve portal once to link it.");
  if (user.disabledAt) throw new CarveError("ACCOUNT_DISABLED", `The Carve account ${user.username} is disabled. Ask a Carve admin.`);
  return { kind: "user", userId: user.id, username: user.username, role: user.role, via: "slack" };
}
