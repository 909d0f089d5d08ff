import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSshKey, addTemplate, markHostVmsUnknown, redeemConsoleToken, startVm, stopVm, type TActor } from "@carve/core";
import type { TSlackBot } from "@carve/slack";
import { FakeSlack } from "../lib/slack/fake-slack.ts";
import { CHANNEL_ID, PORTAL_URL, startBot, type SlackDriver } from "../lib/slack/slack-driver.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { addTestNetwork } from "../lib/stack/test-network.ts";
import { createUser } from "../lib/stack/users.ts";

// The bot against the real stack: controller and an agent on libvirt's test driver, Slack faked on
// loopback. Each command goes Slack → Bolt → core → BullMQ → agent → controller and back to Slack.
let stack: Stack;
let fake: FakeSlack;
let bot: TSlackBot;
let slack: SlackDriver;
let logs: string[];
let hosts: { id: string; name: string }[];
let dev: TActor;
let admin: TActor;

const text = (args: Record<string, unknown>) => String(args["text"] ?? "");
const ephemeral = (user: string, has: string, since = 0) => fake.waitFor("chat.postEphemeral", (a) => a["user"] === user && text(a).includes(has), 30_000, since);

/** Whether any key of the stack's queues holds `needle` (job data, results, events). */
async function redisHolds(needle: string): Promise<boolean> {
  const redis = new Redis(stack.redisUrl);
  try {
    for (const key of await redis.keys(`${stack.prefix}:*`)) {
      const type = await redis.type(key);
      const content =
        type === "string" ? await redis.get(key)
        : type === "hash" ? JSON.stringify(await redis.hgetall(key))
        : type === "list" ? JSON.stringify(await redis.lrange(key, 0, -1))
        : type === "zset" ? JSON.stringify(await redis.zrange(key, "0", "-1"))
        : type === "set" ? JSON.stringify(await redis.smembers(key))
        : type === "stream" ? JSON.stringify(await redis.xrange(key, "-", "+"))
        : "";
      if (content?.includes(needle)) return true;
    }
    return false;
  } finally {
    redis.disconnect();
  }
}
const liveVms = (name: string) => stack.core.db.vm.count({ where: { name, state: { not: "Destroyed" } } });

/** The one progress message titled `title` (posted once) and its updates, once one says `final`. */
async function progress(title: string, final: string): Promise<{ posted: Record<string, unknown>[]; updates: string[] }> {
  await fake.waitFor("chat.postMessage", (a) => text(a).includes(title));
  const posts = fake.calls.filter((c) => c.method === "chat.postMessage" && text(c.args).includes(title));
  const ts = posts[0]?.answer["ts"];
  await fake.waitFor("chat.update", (a) => a["ts"] === ts && text(a).includes(final), 60_000);
  return { posted: posts.map((c) => c.args), updates: fake.of("chat.update", (a) => a["ts"] === ts).map(text) };
}

beforeAll(async () => {
  stack = await new Stack({ controllerEnv: { CARVE_RECONCILE_MS: "2000" } }).init();
  admin = await createUser(stack.core, "ops", "Admin");
  for (const [username, email] of [
    ["dev", "dev@example.com"],
    ["eve", "eve@example.com"],
  ] as const) {
    const user = await createUser(stack.core, username, "User");
    if (username === "dev") dev = user;
    await stack.core.db.user.update({ where: { id: user.kind === "user" ? user.userId : "" }, data: { email } });
  }
  await stack.startController();
  hosts = await addTestHosts(stack, admin, { count: 1 });
  // A template whose image is not in the pool: its creates fail on the host.
  await addTemplate(stack.core, admin, { name: "ghost", pools: ["pool-1"], volume: "missing.qcow2" });
  fake = await new FakeSlack().start();
  fake.emails.set("U0DEV", "dev@example.com");
  fake.emails.set("U0EVE", "eve@example.com");
  await stack.core.db.template.update({ where: { name: "tiny" }, data: { supportsPasswordReset: true } });
  ({ bot, driver: slack, logs } = await startBot(stack.core, fake));
});

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
  await stack?.stop();
});

describe("/vm against the real stack", () => {
  it("lists templates, offerings and the quota", async () => {
    await slack.command("U0DEV", "templates");
    expect(text(await ephemeral("U0DEV", "*Templates*"))).toMatch(/\*tiny\* — Ready/);
    await slack.command("U0DEV", "offerings");
    expect(text(await ephemeral("U0DEV", "*Offerings*"))).toContain("*small* — 1 vCPU · 512 MiB · 1 GiB disk");
    await slack.command("U0DEV", "quota");
    expect(text(await ephemeral("U0DEV", "*user dev*"))).toContain("VMs 0/∞");
  });

  it("creates a VM inline: one progress message, updated through the agent's steps to Running", async () => {
    const res = await slack.command("U0DEV", "create web-1 template=tiny offering=small");
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const { posted, updates } = await progress("Creating *web-1*", "is *Running*");
    expect(posted).toHaveLength(1);
    expect(posted[0]?.["channel"]).toBe(CHANNEL_ID);
    expect(text(posted[0] ?? {})).toContain("queued");
    expect(updates.at(-1)).toBe(`:white_check_mark: *web-1* is *Running* on ${hosts[0]?.name}.`);
    // Every update before the last shows a step the job was at (a test-driver create is over in
    // a few hundred ms, so which steps the bot catches between its polls varies).
    for (const update of updates.slice(0, -1)) expect(update).toMatch(/queued|creating disk|defining|booting/);
    expect((await stack.core.db.vm.findFirstOrThrow({ where: { name: "web-1" } })).state).toBe("Running");
  });

  it("a create retried by Slack (same trigger id, x-slack-retry-num) makes one VM and one message", async () => {
    const body = slack.commandBody("U0DEV", "create retry-1 template=tiny offering=small", "4242.retried");
    const [first, retry] = await Promise.all([
      slack.post("/slack/events", body),
      slack.post("/slack/events", body, { headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } }),
    ]);
    expect([first.status, retry.status]).toEqual([200, 200]);
    await progress("Creating *retry-1*", "is *Running*");
    // A late retry, after the VM is up, does nothing either.
    await slack.post("/slack/events", body, { headers: { "x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout" } });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await stack.core.db.vm.count({ where: { name: "retry-1" } })).toBe(1);
    expect(fake.of("chat.postMessage", (a) => text(a).includes("Creating *retry-1*"))).toHaveLength(1);
    // The retry is not answered as a second request would be ("you already have a VM named retry-1").
    expect(fake.of("chat.postEphemeral", (a) => text(a).includes("retry-1"))).toEqual([]);
  });

  it("lists the user's VMs and shows one's status", async () => {
    await slack.command("U0DEV", "list");
    const list = text(await ephemeral("U0DEV", "*Your VMs*"));
    expect(list).toContain("*web-1* — Running");
    expect(list).toContain("*retry-1* — Running");
    await slack.command("U0DEV", "status web-1");
    expect(text(await ephemeral("U0DEV", "*web-1* is *Running*"))).toContain("1 vCPU · 512 MiB · tiny / small");
  });

  it("stops, starts and reboots a VM, each in one message that ends with its state", async () => {
    await slack.command("U0DEV", "stop web-1");
    await progress("Stopping *web-1*", "is *Stopped*");
    await slack.command("U0DEV", "start web-1");
    await progress("Starting *web-1*", "is *Running*");
    await slack.command("U0DEV", "reboot web-1");
    await progress("Rebooting *web-1*", "is *Running*");
    expect((await stack.core.db.vm.findFirstOrThrow({ where: { name: "web-1" } })).state).toBe("Running");
  });

  it("refuses a user acting on someone else's VM, by name and through a crafted button", async () => {
    const since = fake.calls.length;
    await slack.command("U0EVE", "stop web-1");
    expect(text(await ephemeral("U0EVE", "", since))).toContain("No VM 'web-1' among the VMs you can manage");
    const vm = await stack.core.db.vm.findFirstOrThrow({ where: { name: "web-1" } });
    await slack.click("U0EVE", "vm_destroy_confirm", JSON.stringify({ id: vm.id, name: vm.name }));
    const refused = await fake.waitFor("response_url", (a) => text(a).includes("No VM"));
    expect(refused["replace_original"]).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe("Running");
    expect(await stack.core.db.job.count({ where: { vmId: vm.id, kind: "vm.destroy" } })).toBe(0);
  });

  it("destroys only after the Destroy button; Keep changes nothing", async () => {
    await slack.command("U0DEV", "destroy retry-1");
    const question = await ephemeral("U0DEV", "Destroy *retry-1*");
    const buttons = (question["blocks"] as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === "actions")?.elements ?? [];
    expect(buttons.map((b) => b.action_id)).toEqual(["vm_destroy_confirm", "vm_destroy_cancel"]);
    expect(await stack.core.db.job.count({ where: { kind: "vm.destroy" } })).toBe(0);

    await slack.click("U0DEV", "vm_destroy_cancel", buttons[1]?.value ?? "");
    await fake.waitFor("response_url", (a) => text(a) === "Kept *retry-1*.");
    expect(await liveVms("retry-1")).toBe(1);

    await slack.click("U0DEV", "vm_destroy_confirm", buttons[0]?.value ?? "");
    await fake.waitFor("response_url", (a) => text(a).includes("Destroying *retry-1*"));
    await progress("Destroying *retry-1*", "is destroyed");
    expect(await liveVms("retry-1")).toBe(0);
  });
});

describe("reset-password", () => {
  it("shows the new password once, only to its owner in an ephemeral message; it rests nowhere", async () => {
    await slack.command("U0DEV", "reset-password web-1");
    const shown = await ephemeral("U0DEV", ":key: New password");
    const password = /: `([A-Za-z0-9]{24})`/.exec(text(shown))?.[1] ?? "";
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(text(shown)).toContain("of `root` on *web-1*");
    // In exactly one call to Slack: the ephemeral one, to its owner.
    const carrying = fake.calls.filter((c) => JSON.stringify(c.args).includes(password));
    expect(carrying.map((c) => [c.method, c.args["user"], c.args["channel"]])).toEqual([["chat.postEphemeral", "U0DEV", CHANNEL_ID]]);
    expect(await stack.core.db.passwordReveal.count()).toBe(0);
    expect(execFileSync("pg_dump", ["--data-only", "--dbname", stack.databaseUrl], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })).not.toContain(password);
    expect(await redisHolds(password)).toBe(false);
    expect(logs.join("")).not.toContain(password);
    for (const file of readdirSync(stack.dir).filter((f) => f.endsWith(".log"))) expect(readFileSync(join(stack.dir, file), "utf8")).not.toContain(password);
  });

  it("refuses another user's VM", async () => {
    const since = fake.calls.length;
    await slack.command("U0EVE", "reset-password web-1");
    expect(text(await ephemeral("U0EVE", "", since))).toContain("No VM 'web-1' among the VMs you can manage");
    expect(await stack.core.db.job.count({ where: { kind: "vm.set-password", actor: { username: "eve" } } })).toBe(0);
  });
});

// console (issue 18)
describe("/vm console", () => {
  it("answers only the owner, ephemerally, with a portal link whose token works once", async () => {
    const since = fake.calls.length;
    await slack.command("U0DEV", "console web-1");
    const answer = text(await ephemeral("U0DEV", "Open the screen of *web-1*", since));
    const vm = await stack.core.db.vm.findFirstOrThrow({ where: { name: "web-1", state: { not: "Destroyed" } } });
    const url = new URL(/<(https:[^|>]+)\|/.exec(answer)?.[1] ?? "");
    expect(`${url.origin}${url.pathname}${url.search}`).toBe(`${PORTAL_URL}/vms/${vm.id}/console?kind=vnc`);
    const token = /^#token=([\w-]{43,})$/.exec(url.hash)?.[1] ?? "";
    // Only the owner's ephemeral answer carries it: no message in the channel, no DM.
    const carrying = fake.calls.slice(since).filter((c) => JSON.stringify(c.args).includes(token));
    expect(carrying.map((c) => [c.method, c.args["user"], c.args["channel"]])).toEqual([["chat.postEphemeral", "U0DEV", CHANNEL_ID]]);

    // Made through Slack, the link is for any address; the console proxy redeems it once.
    const client = { address: "203.0.113.9", userId: dev.kind === "user" ? dev.userId : "" };
    expect(await redeemConsoleToken(stack.core, { token, client })).toMatchObject({ vmId: vm.id, kind: "vnc" });
    await expect(redeemConsoleToken(stack.core, { token, client })).rejects.toMatchObject({ code: "CONSOLE_TOKEN_USED" });

    await slack.command("U0DEV", "console web-1 serial");
    expect(text(await ephemeral("U0DEV", "Open the serial console of *web-1*", since))).toContain(`/vms/${vm.id}/console?kind=serial#token=`);
  });

  it("refuses someone else's VM, a Stopped VM, and a console that is not one, ephemerally and without a link", async () => {
    const since = fake.calls.length;
    await slack.command("U0EVE", "console web-1");
    expect(text(await ephemeral("U0EVE", "", since))).toContain("No VM 'web-1' among the VMs you can manage");
    await slack.command("U0DEV", "console web-1 vga");
    expect(text(await ephemeral("U0DEV", "is not a console", since))).toContain("/vm console web-1 serial");

    expect((await stack.finish(dev, (await stopVm(stack.core, dev, { vm: "web-1" })).id)).state).toBe("Succeeded");
    await slack.command("U0DEV", "console web-1");
    expect(text(await ephemeral("U0DEV", "Stopped", since))).toContain("start it to use its console");
    expect((await stack.finish(dev, (await startVm(stack.core, dev, { vm: "web-1" })).id)).state).toBe("Succeeded");
    expect(JSON.stringify(fake.calls.slice(since).map((c) => c.args))).not.toContain("#token=");
    expect(await stack.core.db.consoleSession.count({ where: { user: { username: "eve" } } })).toBe(0);
  });
});

describe("bad arguments answer and change nothing", () => {
  it("`/vm create` alone opens the form; its errors show under the field; a good form creates the VM", async () => {
    const before = await stack.core.db.vm.count();
    await slack.command("U0DEV", "create");
    const opened = await fake.waitFor("views.open", () => true);
    expect(opened["trigger_id"]).toEqual(expect.any(String));
    const view = opened["view"] as { callback_id: string; blocks: { block_id: string }[] };
    expect(view.blocks.map((b) => b.block_id)).toEqual(["name", "template", "offering"]);
    expect(await stack.core.db.vm.count()).toBe(before);

    const bad = await slack.submitView("U0DEV", opened, "V0BAD", { name: "Not_A_Hostname", template: "tiny", offering: "small" });
    expect(JSON.parse(bad.body)).toEqual({ response_action: "errors", errors: { name: expect.stringContaining("lowercase letters, digits and hyphens") } });
    expect(await stack.core.db.vm.count()).toBe(before);

    const good = await slack.submitView("U0DEV", opened, "V0GOOD", { name: "from-form", template: "tiny", offering: "small" });
    expect(good.status).toBe(200);
    await progress("Creating *from-form*", "is *Running*");
    expect(await liveVms("from-form")).toBe(1);
  });

  it("the form offers the user's SSH keys, and nothing but theirs", async () => {
    await addSshKey(stack.core, dev, { name: "laptop", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICyFATPv1+3bazrTlNUFlORc3c5smPOocK6U7Tpr7Jed dev@laptop" });
    const since = fake.calls.length;
    await slack.command("U0DEV", "create");
    const opened = await fake.waitFor("views.open", () => true, 30_000, since);
    const blocks = (opened["view"] as { blocks: { block_id: string; optional?: boolean; element: { type: string; options?: { value: string }[] } }[] }).blocks;
    const keys = blocks.find((b) => b.block_id === "ssh_keys");
    expect(keys?.optional).toBe(true);
    expect(keys?.element.type).toBe("multi_static_select");
    expect(keys?.element.options?.map((o) => o.value)).toEqual(["laptop"]);
    const evesSince = fake.calls.length;
    await slack.command("U0EVE", "create");
    const eves = await fake.waitFor("views.open", () => true, 30_000, evesSince);
    expect((eves["view"] as { blocks: { block_id: string }[] }).blocks.map((b) => b.block_id)).toEqual(["name", "template", "offering"]);
  });

  it("answers an unknown offering, a missing template and a 2,000-character name with the field's error", async () => {
    const before = await stack.core.db.vm.count();
    await slack.command("U0DEV", "create x template=tiny offering=nope");
    expect(text(await ephemeral("U0DEV", "nope"))).toContain("/vm offerings");
    await slack.command("U0DEV", "create x offering=nope");
    expect(text(await ephemeral("U0DEV", "template: is required"))).toContain("/vm help");
    const long = "a".repeat(2000);
    await slack.command("U0DEV", `create ${long} template=tiny offering=small`);
    expect(text(await ephemeral("U0DEV", "name: is longer than 63 characters"))).not.toContain(long.slice(0, 100));
    await slack.command("U0DEV", "create y template=tiny offering=small disk=50");
    await ephemeral("U0DEV", "`/vm create` has no option `disk`");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await stack.core.db.vm.count()).toBe(before);
    expect(fake.of("chat.postMessage", (a) => /Creating \*(x|y|a+)\*/.test(text(a)))).toEqual([]);
  });
});

describe("notifications", () => {
  it("a failed create ends its message with the host's reason and DMs its owner", async () => {
    // ghost's volume is gone from pool-1: once the host's inventory says so, creates are refused up
    // front (its copy is Missing). Here it vanished after the last report: the create reaches the
    // agent, which fails it.
    await stack.core.db.templateCopy.updateMany({ where: { template: { name: "ghost" } }, data: { state: "Ready", stateReason: null } });
    await slack.command("U0DEV", "create doomed template=ghost offering=small");
    const { updates } = await progress("Creating *doomed*", "failed");
    expect(updates.at(-1)).toMatch(/^:x: Creating \*doomed\* failed: .*missing\.qcow2.*Destroy it and try again/);
    const dm = await fake.waitFor("chat.postMessage", (a) => a["channel"] === "DU0DEV" && text(a).includes("*doomed* failed"));
    expect(text(dm)).toContain("missing.qcow2");
    expect(fake.of("conversations.open", (a) => a["users"] === "U0DEV").length).toBeGreaterThan(0);
  });

  it("DMs the owner when a VM changes on its own: Unknown when its host goes silent, Running when reconciliation sees it", async () => {
    const host = hosts[0] ?? { id: "", name: "" };
    await until(async () => (await stack.core.db.vm.count({ where: { activeJobId: { not: null } } })) === 0, 30_000, "jobs to settle");
    expect(await markHostVmsUnknown(stack.core, host, "no heartbeat for 31 s")).toBeGreaterThan(0);
    const unknown = await fake.waitFor("chat.postMessage", (a) => a["channel"] === "DU0DEV" && text(a).includes("*web-1* changed on its own and is now *Unknown*"));
    expect(text(unknown)).toContain(`host ${host.name} stopped answering`);
    await fake.waitFor("chat.postMessage", (a) => a["channel"] === "DU0DEV" && text(a).includes("*web-1* changed on its own and is now *Running*"), 30_000);
    // Nobody else hears about dev's VMs.
    expect(fake.of("conversations.open").every((a) => a["users"] === "U0DEV")).toBe(true);
  });
});

describe("the address and the way in (issue 17)", () => {
  it("the create-completion message and /vm status give the address Carve allocated and the connect line", async () => {
    await addTestNetwork(stack, admin, { hosts: [hosts[0]?.name ?? ""], dnsDomain: "dev.example.com" });
    await slack.command("U0DEV", "create net-1 template=tiny offering=small");
    const { updates } = await progress("Creating *net-1*", "is *Running*");
    const { ip } = await stack.core.db.nic.findFirstOrThrow({ where: { vm: { name: "net-1" } }, select: { ip: true } });
    expect(ip).toMatch(/^10\.77\.0\.\d+$/);
    expect(updates.at(-1)).toBe(`:white_check_mark: *net-1* is *Running* on ${hosts[0]?.name}, IP address \`${ip}\`.\nconnect: \`ssh root@net-1.dev.example.com\``);

    await slack.command("U0DEV", "status net-1");
    const status = text(await ephemeral("U0DEV", "*net-1* is *Running*"));
    expect(status).toContain(`address: \`${ip}\` on dev-lan (net-1.dev.example.com)\nconnect: \`ssh root@net-1.dev.example.com\``);
    await slack.command("U0DEV", "list");
    expect(text(await ephemeral("U0DEV", "*net-1* — Running"))).toContain(`*net-1* — Running · ${ip} · tiny / small`);
  });
});
