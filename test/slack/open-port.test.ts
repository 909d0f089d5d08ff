import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVm, getVmSecurityGroups, setNetworkSettings, type TActor } from "@carve/core";
import { seedInfra } from "@carve/core/testing";
import type { TSlackBot } from "@carve/slack";
import { FakeSlack } from "../lib/slack/fake-slack.ts";
import { startBot, type SlackDriver } from "../lib/slack/slack-driver.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

// `/vm open NAME PORT` (issue 17): the shortcut that adds a rule to the VM's own security group.
// No agent is needed: the answer is the rule, the filter job waits on the host's queue.
let stack: Stack;
let fake: FakeSlack;
let bot: TSlackBot;
let slack: SlackDriver;
let dev: TActor;

const answer = async (text: string) => {
  const since = fake.calls.length;
  await slack.command("U0DEV", text);
  return String((await fake.waitFor("chat.postEphemeral", (a) => a["user"] === "U0DEV", 30_000, since))["text"]);
};

beforeAll(async () => {
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User", { email: "dev@example.com" });
  await seedInfra(stack.core, { hosts: 1 });
  await createVm(stack.core, dev, { name: "web-1", template: "tiny", offering: "small" });
  await setNetworkSettings(stack.core, admin, { companyCidrs: ["10.0.0.0/8"] });
  fake = await new FakeSlack().start();
  fake.emails.set("U0DEV", "dev@example.com");
  ({ bot, driver: slack } = await startBot(stack.core, fake));
}, 120_000);

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  await stack?.stop();
});

describe("/vm open", () => {
  it("opens the port from the company network and says so; again, it says nothing changed", async () => {
    expect(await answer("open web-1 8080")).toBe(":unlock: web-1: tcp 8080 is open from 10.0.0.0/8 (company network).");
    expect((await getVmSecurityGroups(stack.core, dev, { vm: "web-1" })).groups.map((g) => g.name)).toEqual(["default", "vm-web-1"]);
    expect(await answer("open web-1 8080")).toBe(":unlock: web-1: tcp 8080 was open already from 10.0.0.0/8 (company network); nothing changed.");
    expect(await answer("open web-1 5353 protocol=udp")).toBe(":unlock: web-1: udp 5353 is open from 10.0.0.0/8 (company network).");
  });

  it("answers a bad port, a missing one and an unknown VM with what to do", async () => {
    expect(await answer("open web-1 70000")).toContain("port: must be between 1 and 65535");
    expect(await answer("open web-1 http")).toMatch(/^:warning: `http` is not a port: give its number, e\.g\. `\/vm open web-1 8080`\./);
    expect(await answer("open web-1")).toContain("`/vm open` needs the VM's name and a port: `/vm open NAME 8080`.");
    expect(await answer("open nope 8080")).toContain("No VM 'nope'");
    expect(await answer("help")).toContain("`/vm open NAME 8080 [protocol=udp]`");
  });
});
