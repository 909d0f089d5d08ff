import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { isUniqueViolation } from "../validation/is-unique-violation.ts";
import { parseInput } from "../validation/parse-input.ts";
import type { TUserActor } from "./actor.ts";
import { actorForSlackUser } from "./actor-for-slack-user.ts";

export const ZSlackProfile = z.object({
  /** Slack's user id (U…/W…), unique per workspace. */
  slackUserId: z.string().regex(/^[A-Z0-9]{2,32}$/, "must be a Slack user id such as U012AB3CD"),
  /** The email Slack holds for the user (users.info, scope users:read.email); absent when hidden. */
  email: z.email("must be an email address").max(320).optional(),
});

/**
 * The actor for a Slack user. The first time, links the Slack account to the Carve account with
 * the same email (Slack verifies workspace emails; the directory fills Carve's), so later commands
 * and DMs find the user by Slack id alone. Refuses users without a Carve account of that email,
 * disabled accounts, and an email whose account is already linked to another Slack user.
 */
export async function linkSlackUser(deps: CoreDeps, input: unknown): Promise<TUserActor> {
  const profile = parseInput(ZSlackProfile, input);
  const linked = await deps.db.user.findUnique({ where: { slackUserId: profile.slackUserId }, select: { id: true } });
  if (linked) return actorForSlackUser(deps, profile.slackUserId);
  if (!profile.email) {
    throw new CarveError("UNAUTHENTICATED", "Carve cannot see your Slack email address, so it cannot tell which Carve account is yours. Ask a Carve admin to check the Slack app's users:read.email scope.");
  }
  const email = profile.email;
  await deps.db.$transaction(async (tx) => {
    const user = await tx.user.findFirst({ where: { email: { equals: email, mode: "insensitive" } }, select: { id: true, username: true, role: true, slackUserId: true } });
    if (!user) {
      throw new CarveError("UNAUTHENTICATED", `No Carve account has the email ${email}. Ask a Carve admin to add you to the directory group that uses Carve.`);
    }
    if (user.slackUserId !== null) {
      throw new CarveError("FORBIDDEN", `The Carve account ${user.username} is already linked to another Slack user. Ask a Carve admin.`);
    }
    await tx.user.update({ where: { id: user.id }, data: { slackUserId: profile.slackUserId } });
    await recordEvent(tx, {
      type: "user.slack-linked",
      actor: { kind: "user", userId: user.id, username: user.username, role: user.role, via: "slack" },
      message: `${user.username} linked Slack user ${profile.slackUserId}`,
      data: { userId: user.id, slackUserId: profile.slackUserId },
    });
  }).catch((error: unknown) => {
    // Two first commands at once: the unique Slack id lets one link through; the other just reads it.
    if (!isUniqueViolation(error)) throw error;
  });
  return actorForSlackUser(deps, profile.slackUserId);
}
