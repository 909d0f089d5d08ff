// Item 9 of issue 16, storage and templates: after `carve login URL` with an admin's API key,
// `pool add|define|delete`, `template register|add|copy|delete` and `volume migrate|migrate-cancel`
// go through /api/v1 as that admin (audited `via api`, no OS user or host), print what the local
// CLI prints, and `--wait` follows the job through the server. A non-admin's key is refused and
// changes nothing. Companion of cli-remote-admin.test.ts.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { TEST_TEMPLATE } from "@carve/agent/testing";
import { createDiskOffering, createVolume, setTemplateSettings, type TActor } from "@carve/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remotePair, VIA_API } from "../lib/cli/remote-pair.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
let opsActor: TActor;
let imageServer: Server;
let imageUrl = "";
const { ops, bob, asBob, auditRows, logIn } = remotePair(() => stack, () => portal);

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const api = VIA_API;

/** Runs a command as bob with --json: it must fail with `code`. */
async function bobRefused(args: string[], code: string) {
  const run = await bob(["--json", ...args]);
  expect(run.code, args.join(" ")).toBe(1);
  expect(JSON.parse(run.stderr), args.join(" ")).toMatchObject({ error: { code } });
}

/** Jobs of a kind, and none ever started by bob. */
const jobCount = (kind: string) => stack.core.db.job.count({ where: { kind } });
const bobsJobs = () => stack.core.db.job.count({ where: { actor: { username: "bob" } } });

const refusedCount = (errorCode: string) => stack.core.db.auditEntry.count({ where: { actorName: "bob", outcome: "refused", errorCode, via: "api" } });

beforeAll(async () => {
  stack = await new Stack().init();
  opsActor = await createUser(stack.core, "ops", "Admin");
  const bobActor = await createUser(stack.core, "bob", "User");
  await stack.startController();
  await addTestHosts(stack, opsActor, { count: 2 });

  // An image the server may download: a small qcow2 on loopback, allowed by the template settings.
  const imagePath = join(stack.dir, "remote.qcow2");
  await promisify(execFile)("qemu-img", ["create", "-q", "-f", "qcow2", imagePath, "64M"]);
  const image = await readFile(imagePath);
  imageServer = createServer((req, res) => (req.url === "/remote.qcow2" ? res.writeHead(200, { "content-length": image.length }).end(image) : res.writeHead(404).end()));
  await new Promise<void>((resolve) => imageServer.listen(0, "127.0.0.1", resolve));
  const { port } = imageServer.address() as AddressInfo;
  imageUrl = `http://127.0.0.1:${port}/remote.qcow2`;
  await setTemplateSettings(stack.core, opsActor, { addAllowedHosts: [`127.0.0.1:${port}`], allowPrivateAddresses: true });

  portal = await startStackPortal(stack, randomBytes(32));
  await logIn(opsActor, bobActor);
}, 900_000);

afterAll(async () => {
  imageServer?.close();
  await portal?.stop();
  await stack?.stop();
});

describe("carve pool add|define|delete through /api/v1/admin/pools", () => {
  it("adds a pool and waits for its hosts to define it, redefines and deletes it, as the admin key's user, audited via api", async () => {
    const added = await ops(["pool", "add", "remote-extra", "--host", "host-1", "--libvirt-name", "carve-remote-extra", "--path", join(stack.dir, "remote-extra"), "--wait", "--timeout", "60"]);
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^pool remote-extra added \\(${UUID}\\); defining it in libvirt: job\\(s\\) ${UUID}\\n$`)) });
    const pool = await stack.core.db.storagePool.findFirstOrThrow({ where: { name: "remote-extra" }, select: { id: true, state: true, scope: true, hosts: { select: { host: { select: { name: true } } } } } });
    // --wait followed the job to its end through the server: the agent has defined it.
    expect(pool).toMatchObject({ state: "Up", scope: "Local", hosts: [{ host: { name: "host-1" } }] });
    const defineJobs = () => stack.core.db.job.findMany({ where: { kind: "pool.define", request: { path: ["poolId"], equals: pool.id } }, orderBy: { createdAt: "asc" }, select: { id: true, state: true, actor: { select: { username: true } } } });
    expect(await defineJobs()).toEqual([{ id: expect.any(String), state: "Succeeded", actor: { username: "ops" } }]);

    const json = await ops(["--json", "pool", "define", "remote-extra"]);
    expect(json, json.stderr).toMatchObject({ code: 0 });
    const defined = JSON.parse(json.stdout) as { pool: { id: string; name: string }; jobs: { id: string; kind: string; state: string }[] };
    expect(defined).toMatchObject({ pool: { id: pool.id, name: "remote-extra" }, jobs: [{ kind: "pool.define", state: "Queued" }] });
    await stack.finish(opsActor, defined.jobs[0]?.id ?? "");
    const waited = await ops(["pool", "define", "remote-extra", "--host", "host-1", "--wait", "--timeout", "60"]);
    expect(waited, waited.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^pool remote-extra: defined on 1 host\\(s\\) \\(job\\(s\\) ${UUID}\\)\\n$`)) });
    expect((await defineJobs()).map((j) => j.state)).toEqual(["Succeeded", "Succeeded", "Succeeded"]);
    const elsewhere = await ops(["pool", "define", "remote-extra", "--host", "host-2"]);
    expect(elsewhere).toMatchObject({ code: 1, stderr: "error: Pool remote-extra is not seen by host 'host-2'; it is seen by host-1.\n" });

    expect(await ops(["pool", "delete", "remote-extra"])).toMatchObject({ code: 0, stdout: "pool remote-extra deleted. Its files stay on the hosts.\n" });
    expect(await stack.core.db.storagePool.count({ where: { name: "remote-extra" } })).toBe(0);

    expect(await auditRows("pool.add")).toContainEqual({ actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-extra" });
    expect((await auditRows("pool.define")).filter((r) => r.actorName === "ops")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-extra" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-extra" },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "HOST_NOT_FOUND", targetName: "remote-extra" },
    ]);
    expect(await auditRows("pool.delete")).toEqual([{ actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-extra" }]);
  });

  it("refuses a non-admin's key: 403 FORBIDDEN, audited as that user, nothing changed", async () => {
    const before = await refusedCount("FORBIDDEN");
    const pools = await stack.core.db.storagePool.findMany({ orderBy: { name: "asc" }, select: { name: true, state: true } });
    const jobs = await jobCount("pool.define");
    await bobRefused(["pool", "add", "bobs", "--host", "host-1", "--libvirt-name", "bobs", "--path", "/srv/bobs"], "FORBIDDEN");
    await bobRefused(["pool", "define", "pool-1"], "FORBIDDEN");
    await bobRefused(["pool", "delete", "pool-2"], "FORBIDDEN");
    expect(await asBob("POST", "/api/v1/admin/pools", { name: "bobs", hosts: ["host-1"], libvirtName: "bobs", path: "/srv/bobs" })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("POST", "/api/v1/admin/pools/pool-1/define")).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("DELETE", "/api/v1/admin/pools/pool-2")).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await refusedCount("FORBIDDEN")).toBe(before + 6);
    expect(await stack.core.db.storagePool.findMany({ orderBy: { name: "asc" }, select: { name: true, state: true } })).toEqual(pools);
    expect(await jobCount("pool.define")).toBe(jobs);
    expect(await bobsJobs()).toBe(0);
  });
});

describe("carve template register|add|copy|delete through /api/v1/admin", () => {
  it("registers a template by URL (the server downloads it), copies it to a pool with --wait, adds one from a pool volume, deletes both", async () => {
    const registered = await ops(["template", "register", "remote-img", "--url", imageUrl, "--min-disk", "2", "--cloud-init", "--description", "from ops's laptop"]);
    expect(registered, registered.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^template remote-img registered \\(${UUID}\\), Downloading; follow it with 'carve template list'\\n$`)) });
    expect(await stack.core.db.template.findUniqueOrThrow({ where: { name: "remote-img" }, select: { sourceUrl: true, minDiskGiB: true, supportsCloudInit: true, description: true } })).toEqual({
      sourceUrl: imageUrl,
      minDiskGiB: 2,
      supportsCloudInit: true,
      description: "from ops's laptop",
    });
    await until(async () => (await stack.core.db.template.findUniqueOrThrow({ where: { name: "remote-img" } })).state === "Ready", 60_000, "the controller to download remote-img");

    const copied = await ops(["template", "copy", "remote-img", "--pool", "pool-2", "--wait", "--timeout", "60"]);
    expect(copied, copied.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^template remote-img in pool pool-2: Ready \\(job ${UUID}\\)\\n$`)) });
    const copy = await stack.core.db.templateCopy.findFirstOrThrow({ where: { template: { name: "remote-img" }, pool: { name: "pool-2" } }, select: { state: true, jobId: true } });
    expect(copy.state).toBe("Ready");
    expect(await stack.core.db.job.findUniqueOrThrow({ where: { id: copy.jobId ?? "" }, select: { kind: true, state: true } })).toEqual({ kind: "template.copy", state: "Succeeded" });
    // Asked again: the copy is there, no new job.
    const again = await ops(["--json", "template", "copy", "remote-img", "--pool", "pool-2"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ copy: { state: "Ready", volumeName: expect.stringContaining("template-") }, jobId: copy.jobId });
    expect(await jobCount("template.copy")).toBe(1);

    const refused = await ops(["--json", "template", "register", "ftp-img", "--url", "ftp://127.0.0.1/remote.qcow2"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: "TEMPLATE_SOURCE_REFUSED", fields: [{ field: "url" }] } });

    const added = await ops(["template", "add", "remote-vol", "--pool", "pool-1", "--pool", "pool-2", "--volume", TEST_TEMPLATE, "--format", "raw"]);
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^template remote-vol added \\(${UUID}\\), Ready\\n$`)) });
    expect(await stack.core.db.template.findUniqueOrThrow({ where: { name: "remote-vol" }, select: { format: true, state: true, copies: { select: { volumeName: true }, orderBy: { volumeName: "asc" } } } })).toEqual({
      format: "raw",
      state: "Ready",
      copies: [{ volumeName: TEST_TEMPLATE }, { volumeName: TEST_TEMPLATE }],
    });
    expect((await ops(["template", "list"])).stdout).toMatch(/^remote-vol\s+Ready\s+raw\s+/m);

    expect(await ops(["template", "delete", "remote-vol"])).toMatchObject({ code: 0, stdout: "template remote-vol deleted\n" });
    expect(await ops(["template", "delete", "remote-img"])).toMatchObject({ code: 0, stdout: "template remote-img deleted\n" });
    expect(await stack.core.db.template.count({ where: { name: { in: ["remote-img", "remote-vol"] } } })).toBe(0);

    expect(await auditRows("template.register")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-img" },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "TEMPLATE_SOURCE_REFUSED", targetName: "ftp-img" },
    ]);
    expect(await auditRows("template.copy")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-img" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-img" },
    ]);
    expect((await auditRows("template.add")).filter((r) => r.actorName === "ops" && r.via === "api")).toEqual([{ actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-vol" }]);
    expect(await auditRows("template.delete")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-vol" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-img" },
    ]);
  });

  it("refuses a non-admin's key: 403 FORBIDDEN, audited as that user, nothing changed", async () => {
    const before = await refusedCount("FORBIDDEN");
    const templates = await stack.core.db.template.findMany({ orderBy: { name: "asc" }, select: { name: true, state: true, copies: { select: { poolId: true } } } });
    const jobs = await jobCount("template.copy");
    await bobRefused(["template", "register", "bobs", "--url", imageUrl], "FORBIDDEN");
    await bobRefused(["template", "add", "bobs", "--pool", "pool-1", "--volume", TEST_TEMPLATE], "FORBIDDEN");
    await bobRefused(["template", "copy", "tiny", "--pool", "pool-2"], "FORBIDDEN");
    await bobRefused(["template", "delete", "tiny"], "FORBIDDEN");
    expect(await asBob("POST", "/api/v1/admin/templates", { name: "bobs", url: imageUrl })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("POST", "/api/v1/admin/pool-templates", { name: "bobs", pools: ["pool-1"], volume: TEST_TEMPLATE })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("POST", "/api/v1/admin/templates/tiny/copies", { pool: "pool-2" })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("DELETE", "/api/v1/admin/templates/tiny")).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await refusedCount("FORBIDDEN")).toBe(before + 8);
    expect(await stack.core.db.template.findMany({ orderBy: { name: "asc" }, select: { name: true, state: true, copies: { select: { poolId: true } } } })).toEqual(templates);
    expect(await jobCount("template.copy")).toBe(jobs);
    expect(await bobsJobs()).toBe(0);
  });
});

describe("carve volume migrate|migrate-cancel through /api/v1/volumes/{id}", () => {
  it("moves the admin's volume to another pool and cancels it; another user's key cannot see the volume", async () => {
    await createDiskOffering(stack.core, opsActor, { name: "one", sizeGiB: 1, scope: "Local" });
    const made = await createVolume(stack.core, opsActor, { name: "remote-data", diskOffering: "one" });
    expect(await stack.finish(opsActor, made.job.id)).toMatchObject({ state: "Succeeded" });
    const volume = await stack.core.db.volume.findUniqueOrThrow({ where: { id: made.volume.id }, select: { state: true, pool: { select: { name: true, hostId: true } } } });
    expect(volume.state).toBe("Ready");
    const target = volume.pool.name === "pool-1" ? "pool-2" : "pool-1";

    // core lets a volume's owner or an admin move it: bob's key finds no such volume of his (404).
    const notFound = await refusedCount("VOLUME_NOT_FOUND");
    await bobRefused(["volume", "migrate", "remote-data", "--pool", target], "VOLUME_NOT_FOUND");
    await bobRefused(["volume", "migrate-cancel", "remote-data"], "VOLUME_NOT_FOUND");
    expect(await asBob("POST", "/api/v1/volumes/remote-data/migrate", { pool: target })).toEqual({ status: 404, code: "VOLUME_NOT_FOUND" });
    expect(await refusedCount("VOLUME_NOT_FOUND")).toBe(notFound + 3);

    expect(await ops(["volume", "migrate-cancel", "remote-data"])).toMatchObject({ code: 1, stderr: "error: Volume remote-data is not being migrated (it is Ready); there is nothing to cancel.\n" });
    expect(await jobCount("volume.migrate")).toBe(0);

    // The source host's agent stops (its host stays Up for the grace period): the migration stays in flight until cancelled.
    await stack.agents.get(volume.pool.hostId ?? "")?.stop();
    const moving = await ops(["volume", "migrate", "remote-data", "--pool", target]);
    expect(moving, moving.stderr).toMatchObject({ code: 0 });
    const job = await stack.core.db.job.findFirstOrThrow({ where: { kind: "volume.migrate" }, select: { id: true, state: true, actor: { select: { username: true } } } });
    expect(moving.stdout).toBe(`moving volume remote-data to pool ${target}: job ${job.id} ('carve job show ${job.id}')\n`);
    expect(job).toMatchObject({ state: "Queued", actor: { username: "ops" } });
    expect(await stack.core.db.volume.findUniqueOrThrow({ where: { id: made.volume.id }, select: { state: true, activeJobId: true } })).toEqual({ state: "Migrating", activeJobId: job.id });

    expect(await ops(["volume", "migrate-cancel", "remote-data"])).toMatchObject({ code: 0, stdout: `cancel of job ${job.id} requested: volume remote-data stays in its source pool\n` });
    expect(await auditRows("volume.migrate")).toEqual([
      { actorName: "bob", ...api, outcome: "refused", errorCode: "VOLUME_NOT_FOUND", targetName: "remote-data" },
      { actorName: "bob", ...api, outcome: "refused", errorCode: "VOLUME_NOT_FOUND", targetName: "remote-data" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-data" },
    ]);
    expect(await auditRows("volume.migrate-cancel")).toEqual([
      { actorName: "bob", ...api, outcome: "refused", errorCode: "VOLUME_NOT_FOUND", targetName: "remote-data" },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "INVALID_STATE", targetName: "remote-data" },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-data" },
    ]);
  });
});

// networks (issue 17)
describe("carve network create|list|show|update|delete through /api/v1/admin/networks", () => {
  it("an admin's key manages a network as the local CLI does, bad input named by field, audited via api; a non-admin's key is refused", async () => {
    const created = await ops(["network", "create", "remote-lan", "--kind", "managed", "--cidr", "10.30.0.0/24", "--gateway", "10.30.0.1", "--range", "10.30.0.10-10.30.0.59", "--host", "host-1", "--host", "host-2"]);
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^network remote-lan created \\(Managed, 10\\.30\\.0\\.0/24, 50 addresses\\) on host-1, host-2 \\(${UUID}\\)\\n$`)) });
    const overlap = await ops(["--json", "network", "create", "remote-wide", "--kind", "managed", "--cidr", "10.30.0.0/16", "--gateway", "10.30.200.1", "--range", "10.30.200.10-10.30.200.20", "--host", "host-1"]);
    expect(JSON.parse(overlap.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "cidr", message: expect.stringContaining("overlaps network remote-lan") }] } });

    expect(JSON.parse((await ops(["--json", "network", "list"])).stdout)).toMatchObject([{ name: "remote-lan", rangeSize: 50, nics: 0, freeAddresses: 50, hosts: [{ name: "host-1" }, { name: "host-2" }] }]);
    expect((await ops(["network", "show", "remote-lan"])).stdout).toContain("addresses:    0 used, 50 free of 50\n");
    const updated = await ops(["network", "update", "remote-lan", "--range", "10.30.0.10-10.30.0.99", "--host", "host-1"]);
    expect(updated).toMatchObject({ code: 0, stdout: "network remote-lan updated: 10.30.0.0/24, range 10.30.0.10-10.30.0.99, on host-1\n" });
    const inside = await ops(["--json", "network", "update", "remote-lan", "--gateway", "10.30.0.50"]);
    expect(JSON.parse(inside.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "gateway", message: expect.stringContaining("is inside the range") }] } });

    const defined = await ops(["network", "define", "remote-lan", "--host", "host-1"]);
    expect(defined, defined.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^network remote-lan: being defined on 1 host\(s\) \(job\(s\) [0-9a-f-]{36}\)\n$/) });
    await bobRefused(["network", "define", "remote-lan"], "FORBIDDEN");
    await bobRefused(["network", "create", "bobs", "--kind", "bridge", "--cidr", "10.31.0.0/24", "--bridge", "br0", "--host", "host-1"], "FORBIDDEN");
    await bobRefused(["network", "delete", "remote-lan"], "FORBIDDEN");
    expect(await asBob("PATCH", "/api/v1/admin/networks/remote-lan", { isDefault: true })).toEqual({ status: 403, code: "FORBIDDEN" });

    expect(await ops(["network", "delete", "remote-lan"])).toMatchObject({ code: 0, stdout: "network remote-lan deleted\n" });
    expect(await stack.core.db.network.count()).toBe(0);
    expect(await auditRows("network.create")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "remote-lan" },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "INVALID_INPUT", targetName: "remote-wide" },
      { actorName: "bob", ...api, outcome: "refused", errorCode: "FORBIDDEN", targetName: "bobs" },
    ]);
    expect((await auditRows("network.update")).map((r) => [r.actorName, r.outcome, r.targetName])).toEqual([
      ["ops", "ok", "remote-lan"],
      ["ops", "refused", "remote-lan"],
      ["bob", "refused", "remote-lan"],
    ]);
  });
});
