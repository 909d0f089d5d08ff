import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import type { TUserActor } from "../identity/actor.ts";
// The use-cases as the front doors import them: audited.
import {
  addHost,
  authenticateApiKey,
  checkDirectory,
  createApiKey,
  createLocalUser,
  createVm,
  destroyVm,
  listVms,
  resetPassword,
  revokeApiKey,
  searchAudit,
  setQuota,
  startVm,
  stopVm,
} from "../index.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";

let core: TTestCore;
let logs: string[];
let admin: TUserActor;
let alice: TUserActor;

beforeEach(async () => {
  core = await createTestCore();
  logs = [];
  core.log = pino({ level: "trace" }, { write: (line: string) => logs.push(line) });
  admin = { ...(await createTestUser(core, "ada", "Admin")), via: "portal", origin: { clientAddr: "203.0.113.9", requestId: "req-42" } };
  alice = { ...(await createTestUser(core, "alice")), via: "slack", origin: { slackTeam: "T0CARVE" } };
  await seedInfra(core, { hosts: 1 });
});
afterEach(async () => core.drop());

const refusal = (p: Promise<unknown>) => p.then(() => expect.unreachable("should have been refused"), (e: unknown) => e as CarveError);
/** Plays the agent and the controller: the VM's job is done and it is in `state`. */
const settle = (vmId: string, state: "Running" | "Stopped") => core.db.vm.update({ where: { id: vmId }, data: { state, activeJobId: null } });

describe("the audit trail", () => {
  it("records every use-case call with actor, target, origin and outcome, and never a secret", async () => {
    const created = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    await settle(created.vm.id, "Running");
    await stopVm(core, alice, { vm: "web-1" });
    await settle(created.vm.id, "Stopped");
    await startVm(core, alice, { vm: "web-1" });
    await settle(created.vm.id, "Running");
    await destroyVm(core, admin, { vm: created.vm.id });
    await listVms(core, alice);
    const host = await addHost(core, admin, { name: "hv-9", uri: "qemu:///system" });
    await setQuota(core, admin, { user: "alice", maxVms: 3 });
    const apiKey = await createApiKey(core, alice, { name: "ci" });
    await revokeApiKey(core, alice, apiKey.key);
    const userPassword = "correct horse battery staple 42";
    const newPassword = "another long passphrase 99 !";
    await createLocalUser(core, admin, { username: "bob", password: userPassword });
    await resetPassword(core, admin, { user: "bob", password: newPassword });
    const forbidden = await refusal(addHost(core, alice, { name: "sneaky", uri: "qemu:///system" }));
    const missing = await refusal(startVm(core, alice, { vm: "nope" }));
    const broken = await refusal(checkDirectory(core, admin));
    expect([forbidden.code, missing.code, broken.code]).toEqual(["FORBIDDEN", "VM_NOT_FOUND", "DIRECTORY_MISCONFIGURED"]);

    const rows = await core.db.auditEntry.findMany({ orderBy: { id: "asc" } });
    const brief = rows.map((r) => [r.action, r.actorName, r.via, r.targetType, r.targetName, r.outcome, r.errorCode]);
    expect(brief).toEqual([
      ["vm.create", "alice", "slack", "vm", "web-1", "ok", null],
      ["vm.stop", "alice", "slack", "vm", "web-1", "ok", null],
      ["vm.start", "alice", "slack", "vm", "web-1", "ok", null],
      ["vm.destroy", "ada", "portal", "vm", created.vm.id, "ok", null],
      ["vm.list", "alice", "slack", null, null, "ok", null],
      ["host.add", "ada", "portal", "host", "hv-9", "ok", null],
      ["quota.set", "ada", "portal", "quota", "alice", "ok", null],
      ["apikey.create", "alice", "slack", "api-key", "ci", "ok", null],
      ["apikey.revoke", "alice", "slack", "api-key", null, "ok", null],
      ["user.create", "ada", "portal", "user", "bob", "ok", null],
      ["user.reset-password", "ada", "portal", "user", "bob", "ok", null],
      ["host.add", "alice", "slack", "host", "sneaky", "refused", "FORBIDDEN"],
      ["vm.start", "alice", "slack", "vm", "nope", "refused", "VM_NOT_FOUND"],
      ["directory.check", "ada", "portal", null, null, "error", "DIRECTORY_MISCONFIGURED"],
    ]);
    expect(rows.every((r) => r.actorId === (r.actorName === "ada" ? admin.userId : alice.userId))).toBe(true);
    expect(rows.filter((r) => r.via === "portal").every((r) => r.clientAddr === "203.0.113.9" && r.requestId === "req-42")).toBe(true);
    expect(rows.filter((r) => r.via === "slack").every((r) => r.slackTeam === "T0CARVE" && r.clientAddr === null)).toBe(true);
    expect(rows.find((r) => r.action === "vm.create")?.targetId).toBe(created.vm.id);
    expect(rows.find((r) => r.action === "host.add")?.targetId).toBe(host.id);
    expect(rows.find((r) => r.action === "apikey.revoke")?.targetId).toBe(apiKey.id);

    // Every column of every row as text, and every log line, against every secret the test used.
    const table = await core.db.$queryRaw<{ row: string }[]>`SELECT row_to_json(a)::text AS row FROM "AuditEntry" a`;
    const secrets = [apiKey.key, host.joinToken.token, userPassword, newPassword];
    for (const secret of secrets) {
      expect(table.map((t) => t.row).join("\n")).not.toContain(secret);
      expect(logs.join("")).not.toContain(secret);
    }
    expect(logs.length).toBeGreaterThan(0);
  });

  it("records a refused API key with where it came from, never the key; an accepted key's calls carry its origin", async () => {
    const origin = { clientAddr: "198.51.100.4", requestId: "req-9" };
    const { key } = await createApiKey(core, alice, { name: "ci", scope: "Write" });
    const tampered = `${key.slice(0, -4)}AAAA`;
    expect((await refusal(authenticateApiKey(core, { key: tampered, origin }))).code).toBe("API_KEY_INVALID");
    const viaKey = await authenticateApiKey(core, { key, origin, need: "Write" });
    await listVms(core, viaKey);
    const rows = await core.db.auditEntry.findMany({ where: { action: { in: ["auth.apikey", "vm.list"] } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.action, r.actorName, r.via, r.clientAddr, r.outcome, r.errorCode])).toEqual([
      ["auth.apikey", null, "api", "198.51.100.4", "refused", "API_KEY_INVALID"],
      ["vm.list", "alice", "api", "198.51.100.4", "ok", null],
    ]);
    const table = await core.db.$queryRaw<{ row: string }[]>`SELECT row_to_json(a)::text AS row FROM "AuditEntry" a`;
    for (const secret of [key, tampered]) {
      expect(table.map((t) => t.row).join("\n")).not.toContain(secret);
      expect(logs.join("")).not.toContain(secret);
    }
  });

  it("writes the rows of actions that end together, each one, even when one row cannot be stored", async () => {
    // An actor id that is not a UUID cannot be stored (the column is uuid): that create's row fails, alone.
    // (A NUL in a name no longer does: identifiers are stored with control characters written out.)
    const names = ["web-1", "web-2", "bad-actor", "web-3"];
    const outcomes = await Promise.allSettled(names.map((name) => createVm(core, name === "bad-actor" ? { ...alice, userId: "not-a-uuid" } : alice, { name, template: "tiny", offering: "small" })));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const rows = await core.db.auditEntry.findMany({ where: { action: "vm.create" }, select: { targetName: true, outcome: true } });
    expect(rows.sort((a, b) => (a.targetName ?? "").localeCompare(b.targetName ?? ""))).toEqual([
      { targetName: "web-1", outcome: "ok" },
      { targetName: "web-2", outcome: "ok" },
      { targetName: "web-3", outcome: "ok" },
    ]);
    expect(logs.filter((line) => line.includes("audit entry could not be written"))).toHaveLength(1);
  });

  it("is searchable by admins only, by actor, action kind, target, outcome and time, a page at a time", async () => {
    const minute = (n: number) => new Date(Date.UTC(2026, 10, 27, 8, n));
    let clock = minute(0);
    core.now = () => clock;
    clock = minute(1);
    await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    clock = minute(2);
    await createVm(core, alice, { name: "web-2", template: "tiny", offering: "small" });
    clock = minute(3);
    await refusal(startVm(core, alice, { vm: "web-9" }));
    await listVms(core, admin);

    const denied = await refusal(searchAudit(core, alice, {}));
    expect(denied.code).toBe("FORBIDDEN");
    const byAlice = await searchAudit(core, admin, { actor: "alice", action: "vm." });
    expect(byAlice.items.map((e) => [e.action, e.targetName, e.outcome])).toEqual([
      ["vm.start", "web-9", "refused"],
      ["vm.create", "web-2", "ok"],
      ["vm.create", "web-1", "ok"],
    ]);
    expect((await searchAudit(core, admin, { target: "web-2" })).items.map((e) => e.action)).toEqual(["vm.create"]);
    // Searching is recorded too: alice's refused search is the newest refusal.
    expect((await searchAudit(core, admin, { outcome: "refused" })).items.map((e) => [e.action, e.errorCode])).toEqual([
      ["audit.search", "FORBIDDEN"],
      ["vm.start", "VM_NOT_FOUND"],
    ]);
    // From minute 2 (inclusive) to minute 3 (exclusive): web-2's create only.
    const window = await searchAudit(core, admin, { from: minute(2).toISOString(), to: minute(3).toISOString() });
    expect(window.items.map((e) => e.targetName)).toEqual(["web-2"]);

    const first = await searchAudit(core, admin, { actor: alice.userId, limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await searchAudit(core, admin, { actor: alice.userId, limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((e) => e.targetName)).toEqual([null, "web-9", "web-2", "web-1"]);
    expect(second.nextCursor).toBeNull();
    expect((await refusal(searchAudit(core, admin, { cursor: "abc" }))).message).toContain("cursor: is not a cursor from a previous page");
  });
});
