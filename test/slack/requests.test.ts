import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUserEnabled, type TActor } from "@carve/core";
import type { TSlackBot } from "@carve/slack";
import { FakeSlack } from "../lib/slack/fake-slack.ts";
import { CHANNEL_ID, signature, SIGNING_SECRET, startBot, TEAM_ID, type SlackDriver } from "../lib/slack/slack-driver.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

// Requests as Slack sends them, refused or answered before any VM is involved: signatures, who
// is who, and commands that are not commands. The lifecycle suite covers VMs end to end.
let stack: Stack;
let fake: FakeSlack;
let bot: TSlackBot;
let slack: SlackDriver;
let admin: TActor;

const ephemeralsTo = (user: string) => fake.of("chat.postEphemeral", (a) => a["user"] === user).map((a) => String(a["text"]));

beforeAll(async () => {
  stack = await new Stack().init();
  admin = await createUser(stack.core, "ops", "Admin");
  await createUser(stack.core, "dev", "User", { email: "Dev@Example.com" });
  await createUser(stack.core, "gone", "User", { email: "gone@example.com" });
  fake = await new FakeSlack().start();
  fake.emails.set("U0DEV", "dev@example.com");
  fake.emails.set("U0GONE", "gone@example.com");
  fake.emails.set("U0STRANGER", "stranger@example.com");
  ({ bot, driver: slack } = await startBot(stack.core, fake));
});

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  await stack?.stop();
});

describe("Slack's rules", () => {
  it("refuses a bad signature with 401 and does nothing", async () => {
    const before = fake.calls.length;
    const res = await slack.command("U0DEV", "list", { signature: signature("not-the-secret-at-all-0000000000", Math.floor(Date.now() / 1000), "x") });
    expect(res.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.calls.slice(before).filter((c) => c.method !== "auth.test")).toEqual([]);
  });

  it("refuses a correctly signed request whose timestamp is older than 5 minutes (a replay)", async () => {
    const stale = Math.floor(Date.now() / 1000) - 5 * 60 - 10;
    const body = slack.commandBody("U0DEV", "list");
    const res = await slack.post("/slack/events", body, { timestamp: stale, signature: signature(SIGNING_SECRET, stale, body) });
    expect(res.status).toBe(401);
    expect(ephemeralsTo("U0DEV")).toEqual([]);
  });

  it("acknowledges a command at once and answers afterwards", async () => {
    const res = await slack.command("U0DEV", "help");
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const answer = await fake.waitFor("chat.postEphemeral", (a) => a["user"] === "U0DEV" && String(a["text"]).includes("/vm create"));
    expect(answer["channel"]).toBe(CHANNEL_ID);
  });
});

describe("who is who", () => {
  it("links a Slack user to the Carve account with their Slack email (any case) on first use", async () => {
    await slack.command("U0DEV", "list");
    await fake.waitFor("chat.postEphemeral", (a) => a["user"] === "U0DEV" && String(a["text"]).includes("You have no VMs"));
    const dev = await stack.core.db.user.findUniqueOrThrow({ where: { username: "dev" } });
    expect(dev.slackUserId).toBe("U0DEV");
    expect(fake.of("users.info", (a) => a["user"] === "U0DEV")).toHaveLength(1);
    // Linked: the next command needs no users.info.
    await slack.command("U0DEV", "quota");
    await fake.waitFor("chat.postEphemeral", (a) => a["user"] === "U0DEV" && String(a["text"]).includes("user dev"));
    expect(fake.of("users.info", (a) => a["user"] === "U0DEV")).toHaveLength(1);
    // Both commands are in the audit trail as dev's, from Slack and its workspace.
    const audit = await stack.core.db.auditEntry.findMany({ where: { actorId: dev.id }, orderBy: { id: "asc" }, select: { action: true, via: true, slackTeam: true, outcome: true } });
    expect(audit).toEqual([
      { action: "vm.list", via: "slack", slackTeam: TEAM_ID, outcome: "ok" },
      { action: "quota.get", via: "slack", slackTeam: TEAM_ID, outcome: "ok" },
    ]);
  });

  it("refuses a Slack user with no Carve account, saying why", async () => {
    await slack.command("U0STRANGER", "list");
    const answer = await fake.waitFor("chat.postEphemeral", (a) => a["user"] === "U0STRANGER");
    expect(answer["text"]).toContain("No Carve account has the email stranger@example.com");
    expect(await stack.core.db.user.count({ where: { slackUserId: "U0STRANGER" } })).toBe(0);
  });

  it("refuses a disabled account, and keeps refusing after the first link", async () => {
    await setUserEnabled(stack.core, admin, { user: "gone", enabled: false });
    await slack.command("U0GONE", "list");
    const answer = await fake.waitFor("chat.postEphemeral", (a) => a["user"] === "U0GONE");
    expect(answer["text"]).toContain("The Carve account gone is disabled");
    expect(fake.of("chat.postMessage")).toEqual([]);
  });
});

describe("commands that are not commands", () => {
  it("answers an unknown subcommand with the usage", async () => {
    await slack.command("U0DEV", "frobnicate web-1");
    const answer = await fake.waitFor("chat.postEphemeral", (a) => String(a["text"]).includes("frobnicate"));
    expect(answer["text"]).toContain("`/vm` has no command `frobnicate`");
    expect(answer["text"]).toContain("/vm destroy NAME");
  });

  it("answers a missing VM name, an extra argument and an unknown option with the usage", async () => {
    await slack.command("U0DEV", "status");
    expect((await fake.waitFor("chat.postEphemeral", (a) => String(a["text"]).includes("`/vm status` needs the VM's name")))["text"]).toContain("/vm help");
    await slack.command("U0DEV", "start a b");
    await fake.waitFor("chat.postEphemeral", (a) => String(a["text"]).includes("`/vm start` takes one VM name"));
    await slack.command("U0DEV", "stop web-1 force=yes");
    await fake.waitFor("chat.postEphemeral", (a) => String(a["text"]).includes("`/vm stop` has no option `force`"));
  });

  it("names Slack's own commands where a refusal says where to look, never the CLI's", async () => {
    await slack.command("U0DEV", "status nope");
    const missing = String((await fake.waitFor("chat.postEphemeral", (a) => String(a["text"]).includes("No VM 'nope'")))["text"]);
    expect(missing).toBe(":mag: No VM 'nope' among the VMs you can manage. List them with `/vm list`.");
    await slack.command("U0DEV", "create web-1 template=nope offering=small");
    const template = String((await fake.waitFor("chat.postEphemeral", (a) => String(a["text"]).includes("No template 'nope'")))["text"]);
    expect(template).toBe(":mag: No template 'nope'. See the available ones with `/vm templates`.");
  });

  it("answers a 2,000-character VM name with the field's error, echoing none of it", async () => {
    const long = "a".repeat(2000);
    await slack.command("U0DEV", `status ${long}`);
    const answer = await fake.waitFor("chat.postEphemeral", (a) => String(a["text"]).includes("vm:"));
    expect(answer["text"]).toContain("vm: is longer than 100 characters");
    expect(String(answer["text"])).not.toContain(long.slice(0, 200));
  });
});
