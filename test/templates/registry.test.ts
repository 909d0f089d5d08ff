import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureTemplateCopy, listTemplates, registerTemplate, setTemplateSettings, type TActor } from "@carve/core";
import { openHypervisor } from "@carve/agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CleanupStack } from "../lib/hypervisor/cleanup.ts";
import { ensureDirPool, ensureLibvirtd, removeDirPool } from "../lib/hypervisor/libvirtd.ts";
import { E2E_POOL_ROOT } from "../lib/hypervisor/paths.ts";
import { virsh } from "../lib/hypervisor/virsh.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const MIB = 1024 * 1024;

let stack: Stack;
let admin: TActor;
let server: Server;
let image: Buffer;
let imagePath: string;
const cleanup = new CleanupStack();

beforeAll(async () => {
  stack = await new Stack().init();
  admin = await createUser(stack.core, "ops", "Admin");
  imagePath = join(stack.dir, "image.qcow2");
  await promisify(execFile)("qemu-img", ["create", "-q", "-f", "qcow2", imagePath, "64M"]);
  image = await readFile(imagePath);
  server = createServer((req, res) => (req.url === "/debian.qcow2" ? res.writeHead(200, { "content-length": image.length }).end(image) : res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await stack.startController();
});
afterAll(async () => {
  server?.close();
  await cleanup.run();
  await stack?.stop();
});

describe("template registry across processes", () => {
  it("the controller downloads a registered template; an agent copies it to a pool on demand and the controller marks the copy Ready", async () => {
    const [host] = await addTestHosts(stack, admin, { count: 1 });
    const port = (server.address() as AddressInfo).port;
    await setTemplateSettings(stack.core, admin, { allowedHosts: [`127.0.0.1:${port}`], allowPrivateAddresses: true });
    const { id } = await registerTemplate(stack.core, admin, { name: "debian", url: `http://127.0.0.1:${port}/debian.qcow2`, sha256: sha256(image) });
    await until(async () => (await stack.core.db.template.count({ where: { id, state: { not: "Downloading" } } })) === 1, 30_000, "the download to end");
    const ready = await stack.core.db.template.findUniqueOrThrow({ where: { id } });
    expect(ready).toMatchObject({ state: "Ready", format: "qcow2", virtualSizeBytes: BigInt(64 * MIB) });
    expect(ready.storedPath?.startsWith(join(stack.dir, "templates"))).toBe(true);

    const { jobId } = await ensureTemplateCopy(stack.core, admin, { template: "debian", pool: "pool-1" });
    const job = await stack.finish(admin, jobId ?? "");
    expect(job).toMatchObject({ kind: "template.copy", state: "Succeeded", hostId: host?.id, result: { volume: `template-${id}.qcow2`, alreadyPresent: false } });
    const listed = (await listTemplates(stack.core, admin)).find((t) => t.name === "debian");
    expect(listed?.copies).toEqual([expect.objectContaining({ pool: "pool-1", state: "Ready", progress: 100 })]);
  });

  it("on a real libvirtd, importVolume uploads the image byte for byte and libvirt reads its format and virtual size", async () => {
    const { uri } = await ensureLibvirtd();
    const id = randomBytes(4).toString("hex");
    const pool = await ensureDirPool(`carve-tpl-${id}`, join(E2E_POOL_ROOT, `tpl-${id}`), uri);
    cleanup.push("remove pool", () => removeDirPool(pool, uri));
    const hypervisor = await openHypervisor({ uri, consoleLogDir: join(stack.dir, "console") });
    cleanup.push("close hypervisor", () => hypervisor.close());
    const request = { pool: pool.name, name: "template.qcow2", format: "qcow2" as const, sizeBytes: image.length, capacityBytes: 64 * MIB, sourcePath: imagePath };
    const steps: string[] = [];
    const imported = await hypervisor.importVolume(request, async (_percent, step) => void steps.push(step));
    expect(imported).toEqual({ path: join(pool.path, "template.qcow2"), alreadyPresent: false });
    expect(steps).toContain("uploading the image");
    expect(sha256(await readFile(imported.path))).toBe(sha256(image));
    expect(await virsh(uri, ["vol-dumpxml", "--pool", pool.name, "template.qcow2"])).toMatch(/<format type='qcow2'\/>/);
    expect(await virsh(uri, ["vol-info", "--bytes", "--pool", pool.name, "template.qcow2"])).toMatch(new RegExp(`Capacity:\\s+${64 * MIB} bytes`));
    await expect(hypervisor.importVolume(request, async () => undefined)).resolves.toEqual({ path: imported.path, alreadyPresent: true });
  });
});
