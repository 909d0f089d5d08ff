import { afterAll, beforeAll, expect, it } from "vitest";
import type { TSlackBot } from "@carve/slack";
import { FakeSlack } from "../lib/slack/fake-slack.ts";
import { startBot, type SlackDriver } from "../lib/slack/slack-driver.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let fake: FakeSlack;
let bot: TSlackBot;
let slack: SlackDriver;
let logs: string[];

beforeAll(async () => {
  stack = await new Stack().init();
  await createUser(stack.core, "dev", "User", { email: "dev@example.com" });
  fake = await new FakeSlack().start();
  fake.emails.set("U0DEV", "dev@example.com");
  ({ bot, driver: slack, logs } = await startBot(stack.core, fake));
});

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  await stack?.stop();
});

it("every Slack request logs a line with its own request id, naming the command but not its arguments", async () => {
  await slack.command("U0DEV", "list");
  await slack.command("U0DEV", "status web-secret-name");
  const requests = () => logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l["msg"] === "slack request");
  await until(async () => requests().length === 2, 10_000, "two request lines");
  const [list, status] = requests();
  expect(list).toMatchObject({ request: "/vm list", slackUserId: "U0DEV", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  expect(status).toMatchObject({ request: "/vm status", slackUserId: "U0DEV", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  expect(list?.["requestId"]).not.toBe(status?.["requestId"]);
  expect(logs.join("\n")).not.toContain("web-secret-name");
});
