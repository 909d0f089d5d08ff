// Item 9 of issue 16, the admin commands: after `carve login URL` with an admin's API key, they go
// through /api/v1/admin/… as that admin (audited `via api`); a non-admin's key is refused (403
// FORBIDDEN, audited) and changes nothing. Companion of cli-remote.test.ts.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remotePair, VIA_API } from "../lib/cli/remote-pair.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
const { ops, bob, asBob, auditRows, logIn } = remotePair(() => stack, () => portal);

beforeAll(async () => {
  stack = await new Stack().init();
  const opsActor = await createUser(stack.core, "ops", "Admin");
  const bobActor = await createUser(stack.core, "bob", "User");
  portal = await startStackPortal(stack, randomBytes(32));
  await logIn(opsActor, bobActor);
}, 900_000);

afterAll(async () => {
  await portal?.stop();
  await stack?.stop();
});

const api = VIA_API;

describe("carve offering|disk-offering create|delete through /api/v1/admin", () => {
  it("creates and deletes service offerings as the admin key's user, audited via api", async () => {
    const created = await ops(["offering", "create", "remote-small", "--vcpus", "2", "--memory", "512", "--disk", "3", "--description", "made remotely"]);
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^offering remote-small created \([0-9a-f-]{36}\)\n$/) });
    expect(await stack.core.db.serviceOffering.findUniqueOrThrow({ where: { name: "remote-small" }, select: { vcpus: true, memoryMiB: true, rootDiskGiB: true, description: true } })).toEqual({ vcpus: 2, memoryMiB: 512, rootDiskGiB: 3, description: "made remotely" });
    expect((await ops(["offering", "list"])).stdout).toMatch(/^remote-small\s+2\s+512\s+3 GiB\s+/m);
    expect(JSON.parse((await ops(["--json", "offering", "create", "remote-json", "--vcpus", "1", "--memory", "256"])).stdout)).toMatchObject({ name: "remote-json", vcpus: 1, memoryMiB: 256, rootDiskGiB: 10 });

    const refused = await ops(["offering", "create", "remote-small", "--vcpus", "2", "--memory", "512"]);
    expect(refused).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining("A service offering named 'remote-small' already exists") });

    expect(await ops(["offering", "delete", "remote-small"])).toMatchObject({ code: 0, stdout: "offering remote-small deleted\n" });
    expect(await ops(["offering", "delete", "remote-json", "--retire"])).toMatchObject({ code: 0, stdout: "offering remote-json deleted\n" });
    expect(await stack.core.db.serviceOffering.count({ where: { name: { startsWith: "remote-" } } })).toBe(0);
    expect(await auditRows("offering.create")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-small" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-json" },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "ALREADY_EXISTS", targetName: "remote-small" },
    ]);
    expect((await auditRows("offering.delete")).map((r) => [r.actorName, r.via, r.outcome])).toEqual([
      ["ops", "api", "ok"],
      ["ops", "api", "ok"],
    ]);
  });

  it("creates and deletes disk offerings as the admin key's user, audited via api", async () => {
    const fixed = await ops(["disk-offering", "create", "remote-ten", "--size", "10", "--scope", "Local", "--storage-tag", "ssd", "--storage-tag", "fast"]);
    expect(fixed, fixed.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^disk offering remote-ten created \(10 GiB, Local; [0-9a-f-]{36}\)\n$/) });
    const custom = await ops(["disk-offering", "create", "remote-custom", "--min", "2", "--max", "50"]);
    expect(custom, custom.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^disk offering remote-custom created \(custom 2–50 GiB, Shared; /) });
    expect((await ops(["disk-offering", "list"])).stdout).toMatch(/^remote-ten\s+10 GiB\s+Local\s+ssd,fast\s+/m);

    const both = await ops(["--json", "disk-offering", "create", "remote-bad", "--size", "10", "--min", "2"]);
    expect(both.code).toBe(1);
    expect(JSON.parse(both.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "sizeGiB" }] } });

    expect(await ops(["disk-offering", "delete", "remote-ten"])).toMatchObject({ code: 0, stdout: "disk offering remote-ten deleted\n" });
    expect(await ops(["disk-offering", "delete", "remote-custom"])).toMatchObject({ code: 0, stdout: "disk offering remote-custom deleted\n" });
    expect(await stack.core.db.diskOffering.count({ where: { name: { startsWith: "remote-" } } })).toBe(0);
    expect((await auditRows("disk-offering.create")).map((r) => [r.actorName, r.via, r.outcome, r.targetName])).toEqual([
      ["ops", "api", "ok", "remote-ten"],
      ["ops", "api", "ok", "remote-custom"],
      ["ops", "api", "refused", "remote-bad"],
    ]);
    expect((await auditRows("disk-offering.delete")).map((r) => [r.actorName, r.via, r.outcome, r.targetName])).toEqual([
      ["ops", "api", "ok", "remote-ten"],
      ["ops", "api", "ok", "remote-custom"],
    ]);
  });

  it("refuses a non-admin's key: 403 FORBIDDEN, audited as that user, nothing changed", async () => {
    expect(await ops(["offering", "create", "kept", "--vcpus", "1", "--memory", "256"])).toMatchObject({ code: 0 });
    expect(await ops(["disk-offering", "create", "kept-disk", "--size", "5"])).toMatchObject({ code: 0 });
    const before = await stack.core.db.auditEntry.count({ where: { actorName: "bob", outcome: "refused", errorCode: "FORBIDDEN", via: "api" } });

    for (const args of [
      ["offering", "create", "bobs", "--vcpus", "1", "--memory", "256"],
      ["offering", "delete", "kept"],
      ["disk-offering", "create", "bobs-disk", "--size", "5"],
      ["disk-offering", "delete", "kept-disk"],
    ]) {
      const run = await bob(["--json", ...args]);
      expect(run.code, args.join(" ")).toBe(1);
      expect(JSON.parse(run.stderr), args.join(" ")).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringContaining("Only administrators") } });
    }
    expect(await asBob("POST", "/api/v1/admin/offerings", { name: "bobs", vcpus: 1, memoryMiB: 256 })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("DELETE", "/api/v1/admin/offerings/kept")).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("POST", "/api/v1/admin/disk-offerings", { name: "bobs-disk", sizeGiB: 5 })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("DELETE", "/api/v1/admin/disk-offerings/kept-disk")).toEqual({ status: 403, code: "FORBIDDEN" });

    expect(await stack.core.db.auditEntry.count({ where: { actorName: "bob", outcome: "refused", errorCode: "FORBIDDEN", via: "api" } })).toBe(before + 8);
    expect(await stack.core.db.serviceOffering.count({ where: { name: { in: ["kept", "bobs"] } } })).toBe(1);
    expect(await stack.core.db.diskOffering.count({ where: { name: { in: ["kept-disk", "bobs-disk"] } } })).toBe(1);
    expect(await stack.core.db.serviceOffering.findUniqueOrThrow({ where: { name: "kept" }, select: { active: true } })).toEqual({ active: true });
  });
});

describe("carve pool list and carve quota show|set through /api/v1", () => {
  it("lists pools for an admin's key only", async () => {
    await stack.core.db.storagePool.create({ data: { name: "remote-pool", libvirtName: "carve-remote", path: "/srv/carve/remote", scope: "Shared" } });
    const listed = await ops(["pool", "list"]);
    expect(listed, listed.stderr).toMatchObject({ code: 0 });
    expect(listed.stdout.split("\n")[1]).toMatch(/^remote-pool\s+Shared\s+Up\s+carve-remote\s+\/srv\/carve\/remote\s*$/);
    expect(JSON.parse((await ops(["--json", "pool", "list"])).stdout)).toEqual([expect.objectContaining({ name: "remote-pool", hosts: [] })]);
    const refused = await bob(["--json", "pool", "list"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringContaining("Only administrators") } });
    expect(await asBob("GET", "/api/v1/admin/pools")).toEqual({ status: 403, code: "FORBIDDEN" });
  });

  it("shows a user's own quota, lets an admin set and see anyone's, refuses a non-admin (403), audited via api", async () => {
    expect((await bob(["quota", "show"])).stdout.split("\n")[1]).toMatch(/^user bob\s+0\/∞\s+0\/∞\s+0\/∞\s+0\/∞\s*$/);
    const set = await ops(["quota", "set", "--user", "bob", "--vms", "3", "--memory", "4096"]);
    expect(set, set.stderr).toMatchObject({ code: 0, stdout: "quota set: VMs 3, vCPUs ∞, memory 4096 MiB, storage ∞ GiB\n" });
    const cleared = await ops(["quota", "set", "--user", "bob", "--memory", "none"]);
    expect(cleared, cleared.stderr).toMatchObject({ code: 0, stdout: "quota set: VMs 3, vCPUs ∞, memory ∞ MiB, storage ∞ GiB\n" });
    const typo = await ops(["quota", "set", "--user", "bob", "--vms", "three"]);
    expect(typo).toMatchObject({ code: 1, stderr: expect.stringContaining("must be a whole number") });
    expect((await bob(["quota", "show"])).stdout.split("\n")[1]).toMatch(/^user bob\s+0\/3\s+0\/∞\s+0\/∞\s+0\/∞\s*$/);
    expect((await ops(["quota", "show", "bob"])).stdout.split("\n")[1]).toMatch(/^user bob\s+0\/3\s+/);
    expect(await auditRows("quota.set")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "bob" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "bob" },
    ]);

    const other = await bob(["--json", "quota", "show", "ops"]);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stderr)).toMatchObject({ error: { code: "FORBIDDEN" } });
    const raise = await bob(["--json", "quota", "set", "--user", "bob", "--vms", "100"]);
    expect(raise.code).toBe(1);
    expect(JSON.parse(raise.stderr)).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringContaining("Only administrators") } });
    expect(await asBob("POST", "/api/v1/admin/quota", { user: "bob", maxVms: 100 })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await auditRows("quota.set")).toHaveLength(4);
    expect((await auditRows("quota.set")).slice(2).map((r) => [r.actorName, r.via, r.outcome, r.errorCode])).toEqual([
      ["bob", "api", "refused", "FORBIDDEN"],
      ["bob", "api", "refused", "FORBIDDEN"],
    ]);
    expect(await stack.core.db.quota.findFirstOrThrow({ where: { user: { username: "bob" } }, select: { maxVms: true, maxMemMiB: true } })).toEqual({ maxVms: 3, maxMemMiB: null });
  });
});
