// Item 9 of issue 16: the local CLI is the management server's admin tool (its audit rows name the
// OS user and host that ran it); people elsewhere use `carve login URL` with an API key, and every
// command then goes through /api/v1 as the key's user, with the key's scope.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createApiKey, createDiskOffering } from "@carve/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "../../apps/cli/src/testing/carve-in-process.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
const keys = { write: "", read: "", admin: "" };
/** bob's machine: his own config directory, where `carve login` keeps the key. */
const bobConfig = mkdtempSync(join(tmpdir(), "carve-bob-"));
const credentials = join(bobConfig, "carve", "credentials.json");

/** `carve` as bob on his machine (remote once logged in); `input` is its stdin. */
const bob = (args: string[], input?: string) => carveInProcess({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix, configHome: bobConfig, ...(input === undefined ? {} : { input }) }, ...args);
/** `carve` on the management server (no stored login: local, as the operator). */
const onServer = (...args: string[]) => carveInProcess({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix }, ...args);

const auditRows = (action: string) =>
  stack.core.db.auditEntry.findMany({ where: { action }, orderBy: { id: "asc" }, select: { actorName: true, via: true, outcome: true, errorCode: true, osUser: true, osHost: true, targetName: true } });

beforeAll(async () => {
  stack = await new Stack().init();
  const ops = await createUser(stack.core, "ops", "Admin");
  await stack.startController();
  await addTestHosts(stack, ops, { count: 1 });
  await createDiskOffering(stack.core, ops, { name: "five", sizeGiB: 5, scope: "Local" });
  const bobActor = await createUser(stack.core, "bob", "User");
  keys.write = (await createApiKey(stack.core, bobActor, { name: "laptop", scope: "Write" })).key;
  keys.read = (await createApiKey(stack.core, bobActor, { name: "dashboards", scope: "Read" })).key;
  keys.admin = (await createApiKey(stack.core, ops, { name: "ops-laptop", scope: "Read" })).key;
  portal = await startStackPortal(stack, randomBytes(32));
}, 900_000);

afterAll(async () => {
  await portal?.stop();
  await stack?.stop();
});

describe("carve login: the CLI through /api/v1 as the API key's user", () => {
  it("checks the key with the server before storing it, then stores it readable by its owner only", async () => {
    const wrong = await bob(["login", portal.url], "carve_nope");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: /);
    expect(() => statSync(credentials)).toThrow(/ENOENT/);

    const login = await bob(["login", portal.url], `${keys.write}\n`);
    expect(login).toMatchObject({ code: 0, stdout: `logged in to ${portal.url} as bob (User, API key scope Write); the key is in ${credentials}\n` });
    expect(login.stdout + login.stderr).not.toContain(keys.write);
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(credentials, "utf8"))).toEqual({ url: portal.url, key: keys.write });
    expect(JSON.parse((await bob(["--json", "whoami"])).stdout)).toMatchObject({ server: portal.url, username: "bob", role: "User", scope: "Write" });
  });

  it("creates and lists VMs as the key's user, audited as that user via api", async () => {
    const created = await bob(["--json", "vm", "create", "bob-1", "--template", "tiny", "--offering", "small", "--wait", "--timeout", "120"]);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ vm: { name: "bob-1", state: "Running", owner: { username: "bob" } } });
    const listed = await bob(["vm", "list"]);
    expect(listed.stdout.split("\n")[1]).toMatch(/^bob-1\s+Running\s+-\s+host-1\s+tiny\s+small\s+bob\s+/);
    expect(await auditRows("vm.create")).toEqual([{ actorName: "bob", via: "api", outcome: "ok", errorCode: null, osUser: null, osHost: null, targetName: "bob-1" }]);
    expect(await stack.core.db.vm.findFirstOrThrow({ where: { name: "bob-1" }, select: { owner: { select: { username: true } } } })).toEqual({ owner: { username: "bob" } });
  });

  it("lists templates and manages the key user's own SSH keys through the API", async () => {
    expect((await bob(["template", "list"])).stdout.split("\n")[1]).toMatch(/^tiny\s+Ready\s+/);
    const line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bob@laptop";
    expect(await bob(["sshkey", "add", "laptop", "--key", line])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^SSH key laptop added \(SHA256:/) });
    expect((await bob(["sshkey", "list"])).stdout.split("\n")[1]).toMatch(/^laptop\s+ssh-ed25519\s+SHA256:\S+\s+\S+Z$/);
    expect(await auditRows("sshkey.add")).toEqual([{ actorName: "bob", via: "api", outcome: "ok", errorCode: null, osUser: null, osHost: null, targetName: "laptop" }]);
    expect(await bob(["sshkey", "remove", "laptop"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^SSH key laptop removed/) });
    expect(await stack.core.db.sshKey.count()).toBe(0);
  });

  it("lists disk offerings, and creates, lists and deletes the key user's data volumes through the API", async () => {
    expect((await bob(["disk-offering", "list"])).stdout.split("\n")[1]).toMatch(/^five\s+5 GiB\s+Local\s+/);
    const created = await bob(["volume", "create", "bob-data", "--disk-offering", "five", "--wait", "--timeout", "120"]);
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^volume bob-data \(\S+\) is Ready$/m) });
    expect((await bob(["volume", "list", "--kind", "Data"])).stdout.split("\n")[1]).toMatch(/^bob-data\s+Data\s+5 GiB\s+Ready\s+-\s+pool-1 \(local on host-1\)\s+five\s+bob\s+/);
    expect(await bob(["volume", "delete", "bob-data", "--wait", "--timeout", "120"])).toMatchObject({ code: 0, stdout: "volume bob-data is deleted\n" });
    expect(await auditRows("volume.create")).toEqual([{ actorName: "bob", via: "api", outcome: "ok", errorCode: null, osUser: null, osHost: null, targetName: "bob-data" }]);
    expect(await stack.core.db.volume.findFirstOrThrow({ where: { name: "bob-data" }, select: { state: true, owner: { select: { username: true } } } })).toEqual({ state: "Deleted", owner: { username: "bob" } });
  });

  it("refuses a write with a read-only key, and an admin command to a non-admin, creating nothing", async () => {
    expect(await bob(["login", portal.url], keys.read)).toMatchObject({ code: 0 });
    const create = await bob(["vm", "create", "bob-2", "--template", "tiny", "--offering", "small"]);
    expect(create).toMatchObject({ code: 1, stdout: "" });
    expect(create.stderr).toMatch(/^error: This API key \(\w+\) is read-only\. Use a key with the write scope/);
    expect(await stack.core.db.vm.count({ where: { name: "bob-2" } })).toBe(0);

    expect(await bob(["login", portal.url], keys.write)).toMatchObject({ code: 0 });
    const hosts = await bob(["--json", "host", "list"]);
    expect(hosts.code).toBe(1);
    expect(JSON.parse(hosts.stderr)).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringContaining("Only administrators") } });
    expect(await bob(["audit"])).toMatchObject({ code: 1, stderr: "error: Only administrators can search the audit trail. Ask an admin to do it for you.\n" });
  });

  it("gives an admin's key the admin commands that are remote: the audit trail shows who acted, and how", async () => {
    expect(await bob(["login", portal.url], keys.admin)).toMatchObject({ code: 0, stdout: expect.stringContaining("as ops (Admin, API key scope Read)") });
    const audit = await bob(["audit", "--action", "vm.create", "--outcome", "ok"]);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout.split("\n")[1]).toMatch(/^\S+Z\s+bob\s+api\s+\S+\s+vm\.create\s+vm bob-1\s+ok$/);
    expect((await bob(["host", "list"])).stdout.split("\n")[1]).toMatch(/^host-1\s+Up\s+/);
    expect(await bob(["login", portal.url], keys.write)).toMatchObject({ code: 0 });
  });

  it("refuses first-run setup (local by design), naming it, without touching the database; logout returns to local", async () => {
    const tokens = await stack.core.db.oneTimeToken.count({ where: { kind: "Setup" } });
    const audited = await stack.core.db.auditEntry.count({ where: { actorName: "bob" } });
    const setup = await bob(["admin", "setup-token"]);
    expect(setup).toMatchObject({ code: 1, stdout: "" });
    expect(setup.stderr).toContain(`'carve admin setup-token' works only on the management server, and this CLI is logged in to ${portal.url}`);
    expect(await stack.core.db.oneTimeToken.count({ where: { kind: "Setup" } })).toBe(tokens);
    expect(await stack.core.db.auditEntry.count({ where: { actorName: "bob" } })).toBe(audited);

    expect(await bob(["logout"])).toMatchObject({ code: 0 });
    expect(() => statSync(credentials)).toThrow(/ENOENT/);
    expect(JSON.parse((await bob(["--json", "whoami"])).stdout)).toMatchObject({ server: "local", username: "operator", role: "Admin" });
  });

  it("records the OS user and host that ran the local CLI on every audit row", async () => {
    expect(await onServer("offering", "create", "big", "--vcpus", "2", "--memory", "1024", "--disk", "2")).toMatchObject({ code: 0 });
    expect(await auditRows("offering.create")).toContainEqual({ actorName: "operator", via: "cli", outcome: "ok", errorCode: null, osUser: userInfo().username, osHost: hostname(), targetName: "big" });
    const audit = await onServer("audit", "--action", "offering.create");
    expect(audit.stdout).toContain(`operator  cli  ${userInfo().username}@${hostname()}`);
  });
});
