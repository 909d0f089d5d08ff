import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { setTemplateSettings } from "../settings/set-template-settings.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import type { TResolver } from "./classify-address.ts";
import { deleteTemplate } from "./delete-template.ts";
import { ensureTemplateCopy } from "./ensure-template-copy.ts";
import { listTemplates } from "./list-templates.ts";
import { registerTemplate } from "./register-template.ts";
import { startTemplateFetcher, type TTemplateFetcher } from "./template-fetcher.ts";

const run = promisify(execFile);
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
/** Every URL in these tests is an IP literal; a name reaching the resolver is a bug. */
const noDns: TResolver = async (name) => {
  throw new Error(`unexpected DNS lookup of ${name}`);
};

type THandler = (res: ServerResponse) => void;

/** A loopback HTTP server with a route table, counting the connections it accepts. */
async function startServer(routes: Record<string, THandler> = {}): Promise<{ server: Server; port: number; connections: () => number; routes: Record<string, THandler> }> {
  let connections = 0;
  const server = createServer((req, res) => {
    const handler = routes[req.url ?? ""];
    if (handler) handler(res);
    else res.writeHead(404).end("not found");
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections, routes };
}

const serve = (data: Buffer): THandler => (res) => res.writeHead(200, { "content-length": data.length }).end(data);
/** Sends `data` 16 KiB every 20 ms: a slow server. */
const trickle = (data: Buffer): THandler => (res) => {
  res.writeHead(200, { "content-length": data.length });
  let offset = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(data.subarray(offset, offset + 16 * 1024));
    offset += 16 * 1024;
    if (offset >= data.length) {
      clearInterval(timer);
      res.end();
    }
  }, 20);
};

let work: string;
let qcow2: Buffer;
let raw: Buffer;
let origin: Awaited<ReturnType<typeof startServer>>;
let elsewhere: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "carve-templates-"));
  await run("qemu-img", ["create", "-q", "-f", "qcow2", join(work, "image.qcow2"), "64M"]);
  qcow2 = await readFile(join(work, "image.qcow2"));
  raw = Buffer.concat([Buffer.from("not a qcow2 header"), randomBytes(256 * 1024)]);
  origin = await startServer({
    "/debian.qcow2": serve(qcow2),
    "/hop": (res) => res.writeHead(302, { location: "/debian.qcow2" }).end(),
    "/raw-named.qcow2": serve(raw),
    "/disk.vmdk": serve(Buffer.concat([Buffer.from("KDMV"), randomBytes(4096)])),
  });
  elsewhere = await startServer({ "/debian.qcow2": serve(qcow2) });
  origin.routes["/away"] = (res) => res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/debian.qcow2` }).end();
});
afterAll(async () => {
  origin.server.closeAllConnections();
  elsewhere.server.closeAllConnections();
  await Promise.all([new Promise((r) => origin.server.close(r)), new Promise((r) => elsewhere.server.close(r))]);
  await rm(work, { recursive: true, force: true });
});

let core: TTestCore;
let admin: Awaited<ReturnType<typeof createTestUser>>;
let fetcher: TTemplateFetcher;
let store: string;

beforeEach(async () => {
  core = await createTestCore();
  admin = await createTestUser(core, "root-admin", "Admin");
  store = await mkdtemp(join(work, "store-"));
  fetcher = startTemplateFetcher(core, { storeDir: store, resolver: noDns, progressEveryMs: 20 });
  await setTemplateSettings(core, admin, { allowedHosts: [`127.0.0.1:${origin.port}`], allowPrivateAddresses: true });
});
afterEach(async () => {
  await fetcher.stop();
  await core.drop();
});

const url = (path: string, port = origin.port) => `http://127.0.0.1:${port}${path}`;

/** Runs fetcher rounds until the template leaves Downloading. */
async function settled(id: string) {
  for (let i = 0; i < 400; i++) {
    await fetcher.tick();
    const template = await core.db.template.findUniqueOrThrow({ where: { id } });
    if (template.state !== "Downloading") return template;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("template still downloading");
}

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CarveError);
  return error as CarveError;
}

describe("template registry", () => {
  it("downloads a qcow2 image (through an allowed redirect), detects it and checks the given sha256", async () => {
    const registered = await registerTemplate(core, admin, { name: "debian", url: url("/hop"), sha256: sha256(qcow2).toUpperCase(), supportsCloudInit: true });
    expect(registered).toMatchObject({ state: "Downloading", progress: 0 });
    const ready = await settled(registered.id);
    expect(ready).toMatchObject({ state: "Ready", progress: 100, format: "qcow2", sha256: sha256(qcow2), sizeBytes: BigInt(qcow2.length), virtualSizeBytes: 64n * 1024n * 1024n, supportsCloudInit: true });
    expect(ready.storedPath).toBe(join(store, `${registered.id}.qcow2`));
    expect(sha256(await readFile(ready.storedPath ?? ""))).toBe(sha256(qcow2));
  });

  it("detects a raw image served under a .qcow2 name as raw and computes its sha256", async () => {
    const { id } = await registerTemplate(core, admin, { name: "rawdisk", url: url("/raw-named.qcow2") });
    expect(await settled(id)).toMatchObject({ state: "Ready", format: "raw", sha256: sha256(raw), sizeBytes: BigInt(raw.length), virtualSizeBytes: BigInt(raw.length) });
  });

  it("refuses a VMDK image, and lists it with no format rather than as qcow2 (nor answers the registration with one)", async () => {
    const { id, format } = await registerTemplate(core, admin, { name: "appliance", url: url("/disk.vmdk") });
    expect(format).toBeNull();
    expect(await settled(id)).toMatchObject({ state: "Error", stateReason: expect.stringContaining("the file is a VMDK image, not a disk image") });
    expect((await listTemplates(core, admin)).find((t) => t.name === "appliance")).toMatchObject({ state: "Error", format: null });
  });

  it("fails a download whose checksum differs, naming both sums, and keeps no file", async () => {
    const wrong = "0".repeat(64);
    const { id } = await registerTemplate(core, admin, { name: "tampered", url: url("/debian.qcow2"), sha256: wrong });
    const failed = await settled(id);
    expect(failed.state).toBe("Error");
    expect(failed.stateReason).toContain(wrong);
    expect(failed.stateReason).toContain(sha256(qcow2));
    await fetcher.tick();
    expect(await readdir(store)).toEqual([]);
  });

  it("refuses a host that is not on the allow-list, naming the setting", async () => {
    const error = await refusal(registerTemplate(core, admin, { name: "elsewhere", url: url("/debian.qcow2", elsewhere.port) }));
    expect(error.code).toBe("TEMPLATE_SOURCE_REFUSED");
    expect(error.message).toContain("templates.allowedHosts");
    expect(await core.db.template.count()).toBe(0);
    expect(elsewhere.connections()).toBe(0);
  });

  it("refuses other schemes naming the url field", async () => {
    const error = await refusal(registerTemplate(core, admin, { name: "ftp", url: `ftp://127.0.0.1:${origin.port}/debian.qcow2` }));
    expect(error.fields).toEqual([expect.objectContaining({ field: "url" })]);
    expect(error.message).toContain("'ftp'");
  });

  it("refuses a redirect to a port off the allow-list before connecting to it", async () => {
    const { id } = await registerTemplate(core, admin, { name: "redirected", url: url("/away") });
    const failed = await settled(id);
    expect(failed.state).toBe("Error");
    expect(failed.stateReason).toContain(`127.0.0.1:${elsewhere.port}`);
    expect(failed.stateReason).toContain("templates.allowedHosts");
    expect(elsewhere.connections()).toBe(0);
  });

  it("refuses loopback sources while private addresses are not allowed, naming that setting", async () => {
    await setTemplateSettings(core, admin, { allowPrivateAddresses: false });
    const connectionsBefore = origin.connections();
    const { id } = await registerTemplate(core, admin, { name: "loopback", url: url("/debian.qcow2") });
    const failed = await settled(id);
    expect(failed.stateReason).toContain("templates.allowPrivateAddresses");
    expect(origin.connections()).toBe(connectionsBefore);
  });

  it("fails an image over the size limit and a redirect loop, saying what to change", async () => {
    await setTemplateSettings(core, admin, { maxBytes: 1000 });
    origin.routes["/loop"] = (res) => res.writeHead(302, { location: "/loop" }).end();
    const big = await registerTemplate(core, admin, { name: "big", url: url("/debian.qcow2") });
    const loop = await registerTemplate(core, admin, { name: "loop", url: url("/loop") });
    expect((await settled(big.id)).stateReason).toMatch(/larger than the limit of 1000 bytes \(setting templates\.maxBytes\)/);
    expect((await settled(loop.id)).stateReason).toMatch(/redirects more than 5 times/);
  });

  it("fails a download whose server stops sending, naming the host and the wait", async () => {
    origin.routes["/stall"] = (res) => {
      res.writeHead(200, { "content-length": 1000 });
      res.write(Buffer.alloc(100));
    };
    const impatient = startTemplateFetcher(core, { storeDir: store, resolver: noDns, idleTimeoutMs: 300 });
    const { id } = await registerTemplate(core, admin, { name: "stalled", url: url("/stall") });
    for (let i = 0; i < 100 && (await core.db.template.findUniqueOrThrow({ where: { id } })).state === "Downloading"; i++) {
      await impatient.tick();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await impatient.stop();
    expect((await core.db.template.findUniqueOrThrow({ where: { id } })).stateReason).toBe(
      `127.0.0.1:${origin.port} sent nothing for 0.3 s; check that the server is up, then register the template again.`,
    );
  });

  it("fails a 404 with an actionable reason; the failed template lists, blocks VMs, and can be deleted", async () => {
    const { id } = await registerTemplate(core, admin, { name: "missing", url: url("/nope.qcow2") });
    const failed = await settled(id);
    expect(failed.state).toBe("Error");
    expect(failed.stateReason).toMatch(/HTTP 404 Not Found; check the URL/);
    expect((await listTemplates(core, admin)).map((t) => [t.name, t.state])).toEqual([["missing", "Error"]]);

    await seedInfra(core);
    const alice = await createTestUser(core, "alice");
    const notReady = await refusal(createVm(core, alice, { name: "web-1", template: "missing", offering: "small" }));
    expect(notReady.code).toBe("TEMPLATE_NOT_READY");
    expect(notReady.message).toContain("HTTP 404");

    await deleteTemplate(core, admin, { template: "missing" });
    expect((await listTemplates(core, admin)).map((t) => t.name)).toEqual(["tiny"]);
    // The name is free again.
    await registerTemplate(core, admin, { name: "missing", url: url("/debian.qcow2") });
  });

  it("reports progress while a slow download runs, and a deleted download stops", async () => {
    const image = randomBytes(64 * 16 * 1024);
    origin.routes["/slow.img"] = trickle(image);
    const { id } = await registerTemplate(core, admin, { name: "slow", url: url("/slow.img") });
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) {
      await fetcher.tick();
      const t = await core.db.template.findUniqueOrThrow({ where: { id } });
      if (t.state !== "Downloading") break;
      seen.add(t.progress);
      // Listed while downloading, with its progress.
      if (i === 0) expect((await listTemplates(core, admin))[0]).toMatchObject({ name: "slow", state: "Downloading" });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect([...seen].filter((p) => p > 0 && p < 100).length).toBeGreaterThan(1);
    expect(await core.db.template.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "Ready", format: "raw", sha256: sha256(image) });

    const { id: second } = await registerTemplate(core, admin, { name: "slow-again", url: url("/slow.img") });
    for (let i = 0; i < 200 && (await core.db.template.findUniqueOrThrow({ where: { id: second } })).progress === 0; i++) {
      await fetcher.tick();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(existsSync(join(store, `${second}.part`))).toBe(true);
    await deleteTemplate(core, admin, { template: "slow-again" });
    await deleteTemplate(core, admin, { template: "slow" });
    for (let i = 0; i < 200 && (await readdir(store)).length > 0; i++) {
      await fetcher.tick();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await readdir(store)).toEqual([]);
    expect(await core.db.template.count()).toBe(0);
  });

  it("a controller that stops mid-download hands the template to the next one, which downloads it afresh", async () => {
    const image = randomBytes(48 * 16 * 1024);
    origin.routes["/resume.img"] = trickle(image);
    const { id } = await registerTemplate(core, admin, { name: "resumed", url: url("/resume.img") });
    for (let i = 0; i < 200 && (await core.db.template.findUniqueOrThrow({ where: { id } })).progress === 0; i++) {
      await fetcher.tick();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await fetcher.stop();
    expect(await core.db.template.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "Downloading", fetchLeaseUntil: null });
    fetcher = startTemplateFetcher(core, { storeDir: store, resolver: noDns, progressEveryMs: 20 });
    expect(await settled(id)).toMatchObject({ state: "Ready", sha256: sha256(image), sizeBytes: BigInt(image.length) });
  });

  it("refuses to delete a template a live VM uses, listing the VM", async () => {
    const { template } = await seedInfra(core);
    const alice = await createTestUser(core, "alice");
    await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    const error = await refusal(deleteTemplate(core, admin, { template: template.name }));
    expect(error.code).toBe("TEMPLATE_IN_USE");
    expect(error.message).toContain("alice/web-1");
  });

  it("copies a Ready template to a pool on demand through a template.copy job, once", async () => {
    const { hosts } = await seedInfra(core);
    const pool = hosts[0]?.pool;
    const { id } = await registerTemplate(core, admin, { name: "debian", url: url("/debian.qcow2") });
    const ready = await settled(id);
    const first = await ensureTemplateCopy(core, admin, { template: "debian", pool: pool?.name });
    expect(first.copy).toMatchObject({ state: "Copying", volumeName: `template-${id}.qcow2` });
    const [sent] = core.queues.byName("template.copy");
    expect(sent?.hostId).toBe(hosts[0]?.host.id);
    expect(sent?.envelope.payload).toEqual({
      templateId: id,
      pool: "default",
      volume: `template-${id}.qcow2`,
      format: "qcow2",
      sizeBytes: qcow2.length,
      capacityBytes: 64 * 1024 * 1024,
      sha256: sha256(qcow2),
      source: { path: ready.storedPath },
    });
    // Asking again while it is on its way sends nothing new.
    expect((await ensureTemplateCopy(core, admin, { template: "debian", pool: pool?.name })).jobId).toBe(first.jobId);
    expect(core.queues.byName("template.copy")).toHaveLength(1);

    core.queues.settle(first.jobId ?? "", { result: { templateId: id, pool: "default", volume: `template-${id}.qcow2`, path: "/p/v", alreadyPresent: false } });
    await sweepJobs(core);
    const listed = (await listTemplates(core, admin)).find((t) => t.name === "debian");
    expect(listed?.copies).toEqual([expect.objectContaining({ pool: pool?.name, state: "Ready", progress: 100 })]);
  });

  it("marks a copy Error with the agent's reason, and a new request retries it", async () => {
    const { hosts } = await seedInfra(core);
    const { id } = await registerTemplate(core, admin, { name: "debian", url: url("/debian.qcow2") });
    await settled(id);
    const first = await ensureTemplateCopy(core, admin, { template: "debian", pool: hosts[0]?.pool.name });
    core.queues.settle(first.jobId ?? "", { reason: "libvirt refused to create volume: no space left" });
    await sweepJobs(core);
    const copy = await core.db.templateCopy.findFirstOrThrow({ where: { templateId: id } });
    expect(copy).toMatchObject({ state: "Error" });
    expect(copy.stateReason).toContain("no space left");
    const again = await ensureTemplateCopy(core, admin, { template: "debian", pool: hosts[0]?.pool.name });
    expect(again.jobId).not.toBe(first.jobId);
    expect(again.copy.state).toBe("Copying");
  });
});
