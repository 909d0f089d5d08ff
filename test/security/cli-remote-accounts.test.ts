// Item 9 of issue 16, continued (cli-remote.test.ts has the first commands): more commands of
// `carve` work after `carve login URL`, through /api/v1 as the API key's user and scope. Each is
// audited as that user `via api`, and the admin ones refuse a non-admin's key with 403.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiKey } from "@carve/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "../../apps/cli/src/testing/carve-in-process.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
const keys = { bob: "", ops: "" };
/** The config directory of someone's machine, where `carve login` keeps the key. */
const machine = mkdtempSync(join(tmpdir(), "carve-remote-"));

/** `carve` on that machine (remote once logged in); `input` is its stdin. */
const carve = (args: string[], input?: string) => carveInProcess({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix, configHome: machine, ...(input === undefined ? {} : { input }) }, ...args);
const loginAs = async (key: string) => expect(await carve(["login", portal.url], `${key}\n`)).toMatchObject({ code: 0 });

const auditRows = (action: string) =>
  stack.core.db.auditEntry.findMany({ where: { action }, orderBy: { id: "asc" }, select: { actorName: true, via: true, outcome: true, errorCode: true, targetName: true } });

beforeAll(async () => {
  stack = await new Stack().init();
  const ops = await createUser(stack.core, "ops", "Admin");
  await stack.startController();
  const [host] = await addTestHosts(stack, ops, { count: 1 });
  await stack.core.db.template.update({ where: { name: "tiny" }, data: { supportsPasswordReset: true } });
  // A password is sealed to the host's agent: its key comes with the agent's heartbeat.
  await until(async () => (await stack.core.db.host.findUniqueOrThrow({ where: { id: host?.id ?? "" } })).sealKey !== null, 20_000, "the agent's key");
  const bob = await createUser(stack.core, "bob", "User");
  keys.bob = (await createApiKey(stack.core, bob, { name: "laptop", scope: "Write" })).key;
  keys.ops = (await createApiKey(stack.core, ops, { name: "ops-laptop", scope: "Write" })).key;
  portal = await startStackPortal(stack, randomBytes(32));
}, 900_000);

afterAll(async () => {
  await portal?.stop();
  await stack?.stop();
});

describe("carve vm reset-password through /api/v1", () => {
  it("resets the key user's VM password, waits for the guest agent, and prints the password once", async () => {
    await loginAs(keys.bob);
    const created = await carve(["vm", "create", "bob-pw", "--template", "tiny", "--offering", "small", "--wait", "--timeout", "120"]);
    expect(created.code, created.stderr).toBe(0);
    const reset = await carve(["vm", "reset-password", "bob-pw", "--timeout", "60"]);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/^new password of root on bob-pw \(shown once, note it now\):\n {2}[A-Za-z0-9]{24}\n$/);
    expect(await auditRows("vm.reset-password")).toEqual([{ actorName: "bob", via: "api", outcome: "ok", errorCode: null, targetName: "bob-pw" }]);
    expect((await auditRows("vm.reveal-password")).map((r) => [r.actorName, r.via, r.outcome])).toEqual([["bob", "api", "ok"]]);
    // Shown once: the server no longer has it.
    expect(await stack.core.db.passwordReveal.count()).toBe(0);
  });
});

describe("carve auth unlock through /api/v1", () => {
  it("clears a lockout with an admin's key, audited as that admin via api; a non-admin's key gets 403", async () => {
    await loginAs(keys.bob);
    const refused = await carve(["--json", "auth", "unlock", "dave"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: "FORBIDDEN" } });

    await loginAs(keys.ops);
    expect(await carve(["auth", "unlock", "dave"])).toMatchObject({ code: 0, stdout: "username dave had no failed sign-ins to clear.\n" });
    expect((await auditRows("auth.unlock")).map((r) => [r.actorName, r.via, r.outcome, r.errorCode])).toEqual([
      ["bob", "api", "refused", "FORBIDDEN"],
      ["ops", "api", "ok", null],
    ]);
  });
});

describe("carve apikey through /api/v1", () => {
  it("creates a key for the key's user (printed once), lists it, and revokes it: it stops working at once", async () => {
    await loginAs(keys.bob);
    const created = await carve(["apikey", "create", "ci", "--scope", "read"]);
    expect(created.code, created.stderr).toBe(0);
    const [, prefix, key] = /^API key ci for bob \(Read, prefix ([\w-]+)\); copy it now, it is not shown again:\n {2}(carve_\S+)\n$/.exec(created.stdout) ?? [];
    expect(key).toBeDefined();
    expect((await auditRows("apikey.create")).filter((r) => r.via === "api")).toEqual([{ actorName: "bob", via: "api", outcome: "ok", errorCode: null, targetName: "ci" }]);

    const listed = await carve(["apikey", "list"]);
    expect(listed.stdout.split("\n").slice(1, 3)).toEqual([expect.stringMatching(new RegExp(`^${prefix}\\s+ci\\s+Read\\s+active\\s+`)), expect.stringMatching(/^\S+\s+laptop\s+Write\s+active\s+/)]);
    expect(listed.stdout).not.toContain(key);

    // An admin's list of another user's keys is an admin's alone.
    expect(JSON.parse((await carve(["--json", "apikey", "list", "--user", "ops"])).stderr)).toMatchObject({ error: { code: "FORBIDDEN" } });

    expect(await carve(["apikey", "revoke", prefix ?? ""])).toMatchObject({ code: 0, stdout: `API key ${prefix} (ci) revoked\n` });
    expect(await stack.core.db.apiKey.findFirstOrThrow({ where: { prefix: prefix ?? "" }, select: { revokedAt: true, user: { select: { username: true } } } })).toMatchObject({ revokedAt: expect.any(Date), user: { username: "bob" } });
    expect((await carve(["login", portal.url], `${key}\n`)).code).toBe(1);
  });
});

describe("carve user sign-out through /api/v1", () => {
  it("ends a user's portal sessions with an admin's key, audited as that admin via api; a non-admin's key gets 403", async () => {
    await loginAs(keys.bob);
    const refused = await carve(["--json", "user", "sign-out", "ops"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: "FORBIDDEN" } });

    await loginAs(keys.ops);
    expect(await carve(["user", "sign-out", "bob"])).toMatchObject({ code: 0, stdout: "bob signed out everywhere: 0 sessions ended\n" });
    expect((await auditRows("user.sign-out")).map((r) => [r.actorName, r.via, r.outcome, r.errorCode, r.targetName])).toEqual([
      ["bob", "api", "refused", "FORBIDDEN", "ops"],
      ["ops", "api", "ok", null, "bob"],
    ]);
  });
});
