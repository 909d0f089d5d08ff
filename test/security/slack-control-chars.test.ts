// A NUL typed into Slack reaches core like any other input: the bot answers with the field's
// error (not "unexpected error"), nothing changes, and the refusal is in the audit trail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TSlackBot } from "@carve/slack";
import { FakeSlack } from "../lib/slack/fake-slack.ts";
import { startBot, type SlackDriver } from "../lib/slack/slack-driver.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let fake: FakeSlack;
let bot: TSlackBot;
let slack: SlackDriver;

beforeAll(async () => {
  stack = await new Stack().init();
  await createUser(stack.core, "dev", "User", { email: "dev@example.com" });
  fake = await new FakeSlack().start();
  fake.emails.set("U0DEV", "dev@example.com");
  ({ bot, driver: slack } = await startBot(stack.core, fake));
});

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  await stack?.stop();
});

describe("a NUL typed in Slack", () => {
  it.each(["status", "start", "destroy"])("`/vm %s` with a NUL in the name: the field's error, audited as refused", async (command) => {
    const since = fake.calls.length;
    await slack.command("U0DEV", `${command} we\u0000b`);
    const answer = await fake.waitFor("chat.postEphemeral", (a) => a["user"] === "U0DEV" && String(a["text"]).includes("vm:"), 30_000, since);
    expect(String(answer["text"])).toContain("vm: contains a control character (NUL); remove it");
    const row = await stack.core.db.auditEntry.findFirst({ where: { actorName: "dev", via: "slack", outcome: "refused" }, orderBy: { id: "desc" } });
    expect(row).toMatchObject({ errorCode: "INVALID_INPUT", targetName: "we\\u0000b" });
    expect(await stack.core.db.job.count()).toBe(0);
  });
});
