// Item 9 of issue 16, the identity and usage commands: after `carve login URL` with an admin's API key,
// `carve directory show|set|test|sync`, `carve group list|map`, `carve user list|create|enable|disable`
// and `carve usage report|aggregate` go through /api/v1/admin/… as that admin (audited `via api`) and
// print what the local CLI prints; the passwords they send never come back, nor land in the audit
// trail or the portal's log; a non-admin's key is refused (403 FORBIDDEN, audited) and changes nothing.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDirectory, type TDirectoryFixture } from "../lib/ldap/fixture.ts";
import { OPENLDAP_USERS, PEOPLE_OU, SERVICE_DN, SERVICE_PASSWORD } from "../lib/ldap/layouts.ts";
import { remotePair, VIA_API } from "../lib/cli/remote-pair.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
let directory: TDirectoryFixture;
const { ops, bob, local, asBob, expectBobForbidden, auditRows: auditRowsVia, logIn } = remotePair(() => stack, () => portal);
const caFile = join(mkdtempSync(join(tmpdir(), "carve-ca-")), "ca.pem");
const BOT_PASSWORD = "ci bot long password";
/** Each `carve` run boots a process: seconds each on a busy machine. */
const SLOW = 600_000;

const auditRows = (action: string) => auditRowsVia(action, "api");
const api = VIA_API;

/** Runs a command as ops, expecting success; its stdout. */
async function asOps(args: string[], input?: string): Promise<string> {
  const run = await ops(args, input);
  expect(run, `${args.join(" ")}: ${run.stderr}`).toMatchObject({ code: 0, stderr: "" });
  return run.stdout;
}

/** The same command locally and remotely print the same (read-only commands). */
async function sameAsLocal(args: string[]): Promise<string> {
  const [remote, here] = await Promise.all([asOps(args), local(args)]);
  expect(here, args.join(" ")).toMatchObject({ code: 0, stdout: remote });
  return remote;
}

beforeAll(async () => {
  stack = await new Stack().init();
  directory = await startDirectory();
  writeFileSync(caFile, directory.pki.caPem);
  const opsActor = await createUser(stack.core, "ops", "Admin");
  // A local account named like a directory user: sync leaves it alone.
  const bobActor = await createUser(stack.core, "bob", "User");
  portal = await startStackPortal(stack, randomBytes(32));
  await logIn(opsActor, bobActor);
}, 900_000);

afterAll(async () => {
  await portal?.stop();
  await directory?.stop();
  await stack?.stop();
});

/** Nothing a password was sent in keeps it: audit rows, settings at rest, the portal's log. */
async function expectNowhere(secret: string): Promise<void> {
  const audit = await stack.core.db.auditEntry.findMany();
  expect(JSON.stringify(audit, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain(secret);
  expect(JSON.stringify(await stack.core.db.setting.findMany())).not.toContain(secret);
  expect(readFileSync(join(stack.dir, "portal.log"), "utf8")).not.toContain(secret);
}

describe("carve directory show|set|test|sync and group list|map through /api/v1/admin", () => {
  it("configures the directory with the bind password from stdin, which is stored encrypted and never shown", async () => {
    expect(await sameAsLocal(["directory", "show"])).toMatch(/^no directory configured: /);
    const set = await asOps(
      ["directory", "set", "--preset", "openldap", "--url", directory.slapd.ldapsUrl, "--ca-file", caFile, "--bind-dn", SERVICE_DN, "--bind-password-stdin", "--user-base", PEOPLE_OU],
      `${SERVICE_PASSWORD}\n`,
    );
    expect(set).toMatch(/^directory settings saved\n/);
    expect(set).toContain(`\nurl: ${directory.slapd.ldapsUrl}\n`);
    expect(set).toContain("\nbindPassword: (set, encrypted)\n");
    expect(set).toContain("\ncaPem: (set)\n");
    expect(await sameAsLocal(["directory", "show"])).toBe(set.replace(/^directory settings saved\n/, ""));
    const shown = JSON.parse(await sameAsLocal(["--json", "directory", "show"])) as Record<string, unknown>;
    expect(shown).toMatchObject({ configured: true, bindPasswordSet: true, config: { url: directory.slapd.ldapsUrl, bindDn: SERVICE_DN, userBase: PEOPLE_OU } });
    expect(Object.keys(shown).sort()).toEqual(["bindPasswordSet", "config", "configured"]);

    const refused = await ops(["directory", "set", "--url", "ldap://127.0.0.1:389"]);
    expect(refused).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining("url: ") });
    expect(await auditRows("directory.configure")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: null },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "INVALID_INPUT", targetName: null },
    ]);
    await expectNowhere(SERVICE_PASSWORD);
  }, SLOW);

  it("tests and syncs the directory, then lists and maps its groups", async () => {
    const people = Object.keys(OPENLDAP_USERS).length;
    expect(await asOps(["directory", "test"])).toMatch(new RegExp(`^${directory.slapd.ldapsUrl}: connected and bound in \\d+ ms; ${people} users\\n$`));
    const synced = await asOps(["directory", "sync"]);
    expect(synced.split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^${people} directory users: ${people - 1} created, 0 updated, 0 re-enabled, 0 disabled \\(\\d+ ms\\)$`)),
      "left alone (names of local accounts): bob",
      "",
    ]);
    expect(await stack.core.db.user.count({ where: { source: "Ldap" } })).toBe(people - 1);
    expect((await stack.core.db.user.findUniqueOrThrow({ where: { username: "bob" } })).source).toBe("Local");

    const groups = await sameAsLocal(["group", "list"]);
    expect(groups).toMatch(/^developers\s+-\s+no\s+2\s+cn=developers,/m);
    expect(JSON.parse(await sameAsLocal(["--json", "group", "list"]))).toContainEqual({ id: expect.any(String), name: "developers", ldapDn: expect.stringMatching(/^cn=developers,/), role: null, isTeam: false, members: 2 });
    expect(await asOps(["group", "map", "developers", "--role", "admin", "--team"])).toBe("group developers: role Admin, a team\n");
    expect(await stack.core.db.group.findUniqueOrThrow({ where: { name: "developers" }, select: { role: true, isTeam: true } })).toEqual({ role: "Admin", isTeam: true });
    // Its directory users are admins at once; carol (not in it) is not.
    expect(await stack.core.db.user.findMany({ where: { source: "Ldap" }, select: { username: true, role: true }, orderBy: { username: "asc" } })).toEqual([
      { username: "alice", role: "Admin" },
      { username: "carol", role: "User" },
      { username: 'e,v+e"<x>;#\\', role: "Admin" },
    ]);
    expect(JSON.parse(await asOps(["--json", "group", "map", "developers", "--role", "none"]))).toEqual({ id: expect.any(String), name: "developers", ldapDn: expect.any(String), role: null, isTeam: true });

    expect((await auditRows("directory.check")).map((r) => [r.actorName, r.via, r.outcome])).toEqual([["ops", "api", "ok"]]);
    expect(await auditRows("directory.sync")).toEqual([{ actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: null }]);
    expect(await auditRows("group.map")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "developers" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "developers" },
    ]);
    expect((await auditRows("group.list")).map((r) => [r.actorName, r.outcome])).toEqual([["ops", "ok"]]);
  }, SLOW);

  it("answers an unreachable directory with DIRECTORY_UNREACHABLE, audited, and keeps the saved password", async () => {
    const moved = await asOps(["directory", "set", "--url", "ldaps://127.0.0.1:1"]);
    expect(moved).toContain("\nbindPassword: (set, encrypted)\n");
    for (const command of ["test", "sync"]) {
      const run = await ops(["--json", "directory", command]);
      expect(run.code, command).toBe(1);
      expect(JSON.parse(run.stderr), command).toMatchObject({ error: { code: "DIRECTORY_UNREACHABLE", message: expect.stringContaining("ldaps://127.0.0.1:1 is unreachable") } });
    }
    expect((await auditRows("directory.check")).at(-1)).toMatchObject({ actorName: "ops", via: "api", outcome: "error", errorCode: "DIRECTORY_UNREACHABLE" });
    expect((await auditRows("directory.sync")).at(-1)).toMatchObject({ actorName: "ops", via: "api", outcome: "error", errorCode: "DIRECTORY_UNREACHABLE" });
    // A failed sync disables nobody.
    expect(await stack.core.db.user.count({ where: { disabledAt: { not: null } } })).toBe(0);
    await asOps(["directory", "set", "--url", directory.slapd.ldapsUrl]);
    expect(await asOps(["directory", "test"])).toContain(": connected and bound in ");
  }, SLOW);
});

describe("carve user list|create|enable|disable through /api/v1/admin/users", () => {
  it("creates a local account with the password from stdin (kept only as a hash), lists, disables and enables it", async () => {
    expect(await asOps(["user", "create", "ci-bot", "--password-stdin", "--display-name", "CI bot", "--email", "CI@Example.org"], `${BOT_PASSWORD}\n`)).toBe("local account ci-bot created (User)\n");
    const bot = await stack.core.db.user.findUniqueOrThrow({ where: { username: "ci-bot" }, select: { source: true, role: true, displayName: true, email: true, passwordHash: true } });
    expect(bot).toMatchObject({ source: "Local", role: "User", displayName: "CI bot", email: "ci@example.org" });
    expect(bot.passwordHash).not.toContain(BOT_PASSWORD);
    const json = JSON.parse(await asOps(["--json", "user", "create", "ci-admin", "--password-stdin", "--role", "admin"], `${BOT_PASSWORD} 2\n`)) as Record<string, unknown>;
    expect(json).toEqual({ id: expect.any(String), username: "ci-admin", source: "Local", role: "Admin", displayName: null, email: null, createdAt: expect.any(String) });
    const short = await ops(["--json", "user", "create", "ci-short", "--password-stdin"], "short\n");
    expect(short.code).toBe(1);
    expect(JSON.parse(short.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "password" }] } });
    expect(await stack.core.db.user.count({ where: { username: "ci-short" } })).toBe(0);

    expect((await sameAsLocal(["user", "list", "--search", "ci-"])).split("\n")).toEqual([
      expect.stringMatching(/^USERNAME\s+SOURCE\s+ROLE\s+STATE\s+TEAMS\s+LIVE VMS\s+LAST LOGIN$/),
      expect.stringMatching(/^ci-admin\s+Local\s+Admin\s+active\s+-?\s*0\s+-$/),
      expect.stringMatching(/^ci-bot\s+Local\s+User\s+active\s+-?\s*0\s+-$/),
      "",
    ]);
    expect(await sameAsLocal(["user", "list", "--limit", "2"])).toMatch(/\nmore: carve user list --cursor \S+ \(with the same filters\)\n$/);

    expect(await asOps(["user", "disable", "ci-bot"])).toBe("ci-bot disabled\n");
    expect((await stack.core.db.user.findUniqueOrThrow({ where: { username: "ci-bot" } })).disabledAt).not.toBeNull();
    expect(await sameAsLocal(["user", "list", "--disabled"])).toMatch(/\nci-bot\s+Local\s+User\s+disabled \(admin\)\s/);
    expect(JSON.parse(await sameAsLocal(["--json", "user", "list", "--disabled"])).items.map((u: { username: string }) => u.username)).toEqual(["ci-bot"]);
    const self = await ops(["user", "disable", "ops"]);
    expect(self).toMatchObject({ code: 1, stderr: expect.stringContaining("ops cannot be disabled: it is your own account") });
    expect(JSON.parse(await asOps(["--json", "user", "enable", "ci-bot"]))).toEqual({ username: "ci-bot", enabled: true, vms: [] });
    expect((await stack.core.db.user.findUniqueOrThrow({ where: { username: "ci-bot" } })).disabledAt).toBeNull();
    const hashBefore = (await stack.core.db.user.findUniqueOrThrow({ where: { username: "ci-bot" }, select: { passwordHash: true } })).passwordHash;
    expect(await asOps(["admin", "reset-password", "ci-bot"], `${BOT_PASSWORD} renewed\n`)).toBe("password of ci-bot reset; their sessions have ended.\n");
    const hashAfter = (await stack.core.db.user.findUniqueOrThrow({ where: { username: "ci-bot" }, select: { passwordHash: true } })).passwordHash;
    expect(hashAfter).not.toBe(hashBefore);
    expect(hashAfter).not.toContain("renewed");
    const unknown = await ops(["admin", "reset-password", "ci-admin-missing"], `${BOT_PASSWORD} renewed\n`);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining("ci-admin-missing") });

    expect(await auditRows("user.create")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "ci-bot" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "ci-admin" },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "INVALID_INPUT", targetName: "ci-short" },
    ]);
    expect((await auditRows("user.set-enabled")).map((r) => [r.actorName, r.via, r.outcome, r.errorCode])).toEqual([
      ["ops", "api", "ok", null],
      ["ops", "api", "refused", "INVALID_INPUT"],
      ["ops", "api", "ok", null],
    ]);
    expect((await auditRows("user.reset-password")).map((r) => [r.actorName, r.via, r.outcome, r.targetName])).toEqual([
      ["ops", "api", "ok", "ci-bot"],
      ["ops", "api", "refused", "ci-admin-missing"],
    ]);
    await expectNowhere(BOT_PASSWORD);
  }, SLOW);
});

describe("carve usage report|aggregate through /api/v1/admin/usage", () => {
  const range = ["--from", "2026-01-05T10:00:00Z", "--to", "2026-01-05T11:00:00Z"];

  it("aggregates a past hour from the events and reports everyone's usage as the local CLI does (table, JSON, CSV)", async () => {
    const db = stack.core.db;
    const owner = await db.user.create({ data: { username: "dana", source: "Local" } });
    const template = await db.template.create({ data: { name: "usage-tiny", state: "Ready" } });
    const host = await db.host.create({ data: { name: "usage-host", uri: "test:///default", state: "Up" } });
    const offering = await db.serviceOffering.create({ data: { name: "usage-small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 } });
    const vm = await db.vm.create({ data: { name: "dana-1", ownerId: owner.id, hostId: host.id, templateId: template.id, offeringId: offering.id, vcpus: 1, memoryMiB: 512, createdAt: new Date("2026-01-05T10:00:00Z") } });
    await db.event.createMany({
      data: [
        { at: new Date("2026-01-05T10:00:00Z"), type: "vm.state", vmId: vm.id, toState: "Running", message: "running" },
        { at: new Date("2026-01-05T10:30:00.500Z"), type: "vm.state", vmId: vm.id, fromState: "Running", toState: "Stopped", message: "stopped" },
      ],
    });

    expect(await asOps(["usage", "aggregate", ...range])).toBe("2 hour records for [2026-01-05T10:00:00.000Z, 2026-01-05T11:00:00.000Z)\n");
    expect(await db.usageRecord.count({ where: { subjectId: vm.id } })).toBe(2);
    expect(JSON.parse(await asOps(["--json", "usage", "aggregate", ...range]))).toEqual({ from: "2026-01-05T10:00:00.000Z", to: "2026-01-05T11:00:00.000Z", days: null, hourRecords: 2, dayRecords: 0 });

    const table = await sameAsLocal(["usage", "report", ...range, "--by", "user"]);
    expect(table.split("\n")[1]).toMatch(/^dana\s+1800\.5\s+1799\.5\s+0\s+0\s+0$/);
    expect(JSON.parse(await sameAsLocal(["--json", "usage", "report", ...range, "--by", "offering"])).rows).toEqual([
      { id: offering.id, name: "usage-small", runningSeconds: 1800.5, allocatedSeconds: 1799.5, localVolumeGiBHours: 0, sharedVolumeGiBHours: 0, templateGiBHours: 0 },
    ]);
    expect(await sameAsLocal(["usage", "report", ...range, "--by", "team", "--csv"])).toBe(
      "team,id,running_seconds,allocated_seconds,local_volume_gib_hours,shared_volume_gib_hours,template_gib_hours\r\n(no team),,1800.5,1799.5,0,0,0\r\n",
    );
    expect(await ops(["usage", "report", ...range, "--by", "pool"])).toMatchObject({ code: 1, stderr: "error: Invalid input. by: must be user, team or offering\n" });
    expect(await ops(["usage", "aggregate", "--from", "2026-01-05T10:30:00Z", "--to", "2026-01-05T11:00:00Z"])).toMatchObject({ code: 1, stderr: expect.stringContaining("from: must be a whole UTC hour") });

    expect((await auditRows("usage.aggregate")).map((r) => [r.actorName, r.via, r.outcome, r.errorCode, r.osUser])).toEqual([
      ["ops", "api", "ok", null, null],
      ["ops", "api", "ok", null, null],
      ["ops", "api", "refused", "INVALID_INPUT", null],
    ]);
    expect((await auditRows("usage.report")).map((r) => [r.actorName, r.via, r.outcome, r.errorCode])).toEqual([
      ["ops", "api", "ok", null],
      ["ops", "api", "ok", null],
      ["ops", "api", "ok", null],
      ["ops", "api", "refused", "INVALID_INPUT"],
    ]);
  }, SLOW);
});

describe("a non-admin's key", () => {
  it("is refused every identity and usage command: 403 FORBIDDEN, audited as that user, nothing changed", async () => {
    const refusedRows = () => stack.core.db.auditEntry.count({ where: { actorName: "bob", via: "api", outcome: "refused", errorCode: "FORBIDDEN" } });
    const before = await refusedRows();
    const settingsBefore = await stack.core.db.setting.findMany({ orderBy: { key: "asc" } });
    const usersBefore = await stack.core.db.user.findMany({ select: { username: true, role: true, disabledAt: true, passwordHash: true }, orderBy: { username: "asc" } });
    const usageBefore = await stack.core.db.usageRecord.count();
    const range = ["--from", "2026-01-05T10:00:00Z", "--to", "2026-01-05T11:00:00Z"];

    const commands: [string[], string?][] = [
      [["directory", "show"]],
      [["directory", "set", "--url", "ldaps://evil.example", "--bind-password-stdin"], "bobs guess\n"],
      [["directory", "test"]],
      [["directory", "sync"]],
      [["group", "list"]],
      [["group", "map", "developers", "--role", "admin"]],
      [["user", "list"]],
      [["user", "create", "bobs-bot", "--password-stdin"], "bobs bot long password\n"],
      [["user", "disable", "ci-bot"]],
      [["user", "enable", "ci-bot"]],
      [["admin", "reset-password", "ci-bot"], "bobs reset long password\n"],
      [["usage", "report", ...range, "--by", "user"]],
      [["usage", "aggregate", ...range]],
    ];
    for (const [args, input] of commands) await expectBobForbidden(args, input);
    for (const [method, path, body] of [
      ["GET", "/api/v1/admin/directory"],
      ["POST", "/api/v1/admin/directory", { settings: { url: "ldaps://evil.example" } }],
      ["POST", "/api/v1/admin/directory/sync"],
      ["POST", "/api/v1/admin/groups", { group: "developers", role: "Admin" }],
      ["POST", "/api/v1/admin/users", { username: "bobs-bot", password: "bobs bot long password" }],
      ["POST", "/api/v1/admin/users/ci-bot/disable"],
      ["POST", "/api/v1/admin/users/ci-bot/password", { password: "bobs reset long password" }],
      ["GET", "/api/v1/admin/usage?from=2026-01-05T10:00:00Z&to=2026-01-05T11:00:00Z&by=user"],
    ] as const) {
      expect(await asBob(method, path, body), `${method} ${path}`).toEqual({ status: 403, code: "FORBIDDEN" });
    }

    expect(await refusedRows()).toBe(before + commands.length + 8);
    expect(await stack.core.db.setting.findMany({ orderBy: { key: "asc" } })).toEqual(settingsBefore);
    expect(await stack.core.db.user.findMany({ select: { username: true, role: true, disabledAt: true, passwordHash: true }, orderBy: { username: "asc" } })).toEqual(usersBefore);
    expect(await stack.core.db.usageRecord.count()).toBe(usageBefore);
    await expectNowhere("bobs bot long password");
    await expectNowhere("bobs guess");
    await expectNowhere("bobs reset long password");
  }, SLOW);
});
