import { actorForSlackUser, isCarveError, linkSlackUser, type CoreDeps, type TUserActor } from "@carve/core";
import type { webApi } from "@slack/bolt";

/**
 * Who a Slack user is in Carve: a linked account by Slack id; otherwise their Slack email
 * (users.info) links them to the Carve account with that email, once.
 */
export async function actorForSlack(core: CoreDeps, client: webApi.WebClient, slackUserId: string): Promise<TUserActor> {
  try {
    return await actorForSlackUser(core, slackUserId);
  } catch (error) {
    if (!isCarveError(error) || error.code !== "UNAUTHENTICATED") throw error;
  }
  const info = await client.users.info({ user: slackUserId });
  return linkSlackUser(core, { slackUserId, email: info.user?.profile?.email });
}
