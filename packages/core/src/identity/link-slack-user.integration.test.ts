import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarveError } from "../errors/index.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { linkSlackUser } from "./link-slack-user.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const refusal = (input: unknown) => linkSlackUser(core, input).catch((e: CarveError) => e) as Promise<CarveError>;

describe("linking Slack users", () => {
  it("links by email in any case, once, and then knows the user by Slack id alone", async () => {
    const alice = await createTestUser(core, "alice");
    await core.db.user.update({ where: { id: alice.userId }, data: { email: "Alice@Example.com" } });
    expect(await linkSlackUser(core, { slackUserId: "U0ALICE", email: "alice@example.COM" })).toMatchObject({ userId: alice.userId, via: "slack" });
    expect(await linkSlackUser(core, { slackUserId: "U0ALICE" })).toMatchObject({ userId: alice.userId });
    expect(await core.db.event.count({ where: { type: "user.slack-linked" } })).toBe(1);
  });

  it("refuses an unknown email, a hidden one, and an account linked to another Slack user", async () => {
    const alice = await createTestUser(core, "alice");
    await core.db.user.update({ where: { id: alice.userId }, data: { email: "alice@example.com", slackUserId: "U0FIRST" } });
    expect((await refusal({ slackUserId: "U0X", email: "nobody@example.com" })).message).toBe(
      "No Carve account has the email nobody@example.com. Ask a Carve admin to add you to the directory group that uses Carve.",
    );
    expect((await refusal({ slackUserId: "U0X" })).code).toBe("UNAUTHENTICATED");
    const taken = await refusal({ slackUserId: "U0SECOND", email: "alice@example.com" });
    expect([taken.code, taken.message]).toEqual(["FORBIDDEN", "The Carve account alice is already linked to another Slack user. Ask a Carve admin."]);
    expect((await core.db.user.findUniqueOrThrow({ where: { id: alice.userId } })).slackUserId).toBe("U0FIRST");
  });
});
