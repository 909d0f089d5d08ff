import { createVm, type TActor } from "@carve/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TSlackBot } from "@carve/slack";
import { FakeSlack } from "../lib/slack/fake-slack.ts";
import { signature, SIGNING_SECRET, startBot, type SlackDriver } from "../lib/slack/slack-driver.ts";
import { Stack } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

// A signed Slack request captured and sent again within Slack's 5-minute window is refused (it
// would otherwise run again: a second reboot), while Slack's own retries of a request are
// answered once: the bot remembers the requests it has seen in Redis for as long as they are valid.
let stack: Stack;
let fake: FakeSlack;
let bot: TSlackBot;
let slack: SlackDriver;
let dev: TActor;

const text = (args: Record<string, unknown>) => String(args["text"] ?? "");

beforeAll(async () => {
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User", { email: "dev@example.com" });
  await stack.startController();
  await addTestHosts(stack, admin, { count: 1 });
  fake = await new FakeSlack().start();
  fake.emails.set("U0DEV", "dev@example.com");
  ({ bot, driver: slack } = await startBot(stack.core, fake));
}, 300_000);

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  await stack?.stop();
});

const reboots = (vmId: string) => stack.core.db.job.count({ where: { vmId, kind: "vm.reboot" } });

describe("Slack replays", () => {
  it("a signed /vm reboot sent again within the 5-minute window is refused and does not reboot twice", async () => {
    const { vm, job } = await createVm(stack.core, dev, { name: "replay-1", template: "tiny", offering: "small" });
    await stack.finish(dev, job.id);
    const timestamp = Math.floor(Date.now() / 1000);
    const body = slack.commandBody("U0DEV", "reboot replay-1");
    const signed = { timestamp, signature: signature(SIGNING_SECRET, timestamp, body) };
    expect((await slack.post("/slack/events", body, signed)).status).toBe(200);
    await fake.waitFor("chat.update", (a) => text(a).includes("*replay-1* is *Running*"), 60_000);
    expect(await reboots(vm.id)).toBe(1);

    // The same bytes again, as an eavesdropper would send them: refused before any listener runs
    // (a listener acknowledges first, so a 401 means nothing ran).
    expect((await slack.post("/slack/events", body, signed)).status).toBe(401);
    // Dressed up as a Slack retry: answered, but not run again either.
    expect((await slack.post("/slack/events", body, { ...signed, headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } })).status).toBe(200);
    expect(await reboots(vm.id)).toBe(1);
    expect(fake.of("chat.postMessage", (a) => text(a).includes("Rebooting *replay-1*"))).toHaveLength(1);

    // A new request of the same command is a new reboot.
    const since = fake.calls.length;
    expect((await slack.command("U0DEV", "reboot replay-1")).status).toBe(200);
    await fake.waitFor("chat.postMessage", (a) => text(a).includes("Rebooting *replay-1*"), 30_000, since);
    expect(await reboots(vm.id)).toBe(2);
  });

  it("Slack's retries of a create (the same body, re-signed or not) make one VM and no error", async () => {
    const body = slack.commandBody("U0DEV", "create retried-1 template=tiny offering=small");
    const first = Math.floor(Date.now() / 1000);
    expect((await slack.post("/slack/events", body, { timestamp: first })).status).toBe(200);
    const retry = { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" };
    // Slack signs each delivery with its own timestamp; a retry sent within the same second carries the first's signature.
    expect((await slack.post("/slack/events", body, { timestamp: first + 1, headers: retry })).status).toBe(200);
    expect((await slack.post("/slack/events", body, { timestamp: first, headers: { ...retry, "x-slack-retry-num": "2" } })).status).toBe(200);
    await fake.waitFor("chat.update", (a) => text(a).includes("*retried-1* is *Running*"), 60_000);
    expect(await stack.core.db.vm.count({ where: { name: "retried-1" } })).toBe(1);
    expect(fake.of("chat.postMessage", (a) => text(a).includes("Creating *retried-1*"))).toHaveLength(1);
    expect(fake.texts().filter((t) => t.includes("retried-1") && !t.includes("Creating") && !t.includes("is *Running*"))).toEqual([]);
  });
});
