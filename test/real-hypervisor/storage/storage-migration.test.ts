import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, expect, it } from "vitest";
import { cancelVolumeMigration, createDiskOffering, createVm, createVolume, destroyVm, migrateVolume, setStorageSettings, startVm, stopVm, type TActor } from "@carve/core";
import { useTwoRealHostsSuite, type TTwoRealHosts } from "../../lib/hypervisor/two-hosts.ts";
import { virsh } from "../../lib/hypervisor/virsh.ts";
import { until, type Stack } from "../../lib/stack/stack.ts";

const SIZE_MIB = 256;

let stack: Stack;
let admin: TActor;
let dev: TActor & { kind: "user" };
let two: TTwoRealHosts;
let scratch: string;
let volume: { id: string; libvirtName: string; sha256: string };
/** [the host the volume was made on, the other one]. */
let hosts: [TTwoRealHosts["hosts"][0], TTwoRealHosts["hosts"][1]];

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** The volume's bytes as libvirt on `uri` serves them (vol-download), hashed. */
async function downloadedSha(uri: string, pool: string, name: string): Promise<string> {
  const out = join(scratch, `download-${randomUUID()}`);
  await virsh(uri, ["vol-download", "--pool", pool, name, out], { timeoutMs: 120_000 });
  try {
    return await sha256Of(out);
  } finally {
    await rm(out, { force: true });
  }
}

async function volumesIn(uri: string, pool: string, dir: string): Promise<{ libvirt: string[]; files: string[] }> {
  await virsh(uri, ["pool-refresh", pool]);
  const libvirt = (await virsh(uri, ["vol-list", "--pool", pool])).split("\n").map((l) => l.trim().split(/\s+/)[0] ?? "").filter((n) => n === volume.libvirtName || n.startsWith(`${volume.libvirtName}.`));
  const files = (await readdir(dir)).filter((n) => n === volume.libvirtName || n.startsWith(`${volume.libvirtName}.`));
  return { libvirt, files };
}

useTwoRealHostsSuite(async (suite) => {
  ({ stack, admin, dev, two } = suite);
  scratch = await mkdtemp(join(tmpdir(), "carve-smig-"));

  // A data volume made by Carve (disk offering, createVolume) in one host's directory pool, filled
  // with known random content through libvirt (vol-upload). "Host 1" is wherever it landed.
  await createDiskOffering(stack.core, admin, { name: "data-1g", sizeGiB: 1, scope: "Local" });
  const made = await createVolume(stack.core, dev, { name: "bigdata", diskOffering: "data-1g" });
  expect((await stack.finish(dev, made.job.id)).state).toBe("Succeeded");
  const row = await stack.core.db.volume.findUniqueOrThrow({ where: { id: made.volume.id } });
  const [first, second] = two.hosts;
  hosts = row.poolId === first.carvePool.id ? [first, second] : [second, first];
  const [h1] = hosts;
  expect(row.poolId).toBe(h1.carvePool.id);
  const content = join(scratch, "content.raw");
  await writeFile(content, randomBytes(SIZE_MIB * 1024 * 1024));
  await virsh(h1.uri, ["vol-upload", "--pool", h1.pool.name, row.libvirtName, content], { timeoutMs: 120_000 });
  volume = { id: row.id, libvirtName: row.libvirtName, sha256: await sha256Of(content) };
  await rm(content);
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

it(`a ${SIZE_MIB} MiB data volume migrates from host 1's pool to host 2's, identical by checksum; the source is gone`, async () => {
  const [h1, h2] = hosts;
  const { job } = await migrateVolume(stack.core, dev, { volume: "bigdata", pool: h2.carvePool.name });
  const done = await stack.finish(dev, job.id);
  expect(done.errorMessage).toBeNull();
  expect(done.state).toBe("Succeeded");
  const result = done.result as { bytes: number; durationMs: number; sha256: string };
  expect(result.sha256).toBe(volume.sha256);
  console.info(`[storage migration] ${SIZE_MIB} MiB host 1 → host 2 in ${result.durationMs} ms: ${(result.bytes / 1e6 / (result.durationMs / 1000)).toFixed(1)} MB/s (stream, sha256 on both sides, fsync); job end to end ${done.finishedAt && done.createdAt ? done.finishedAt.getTime() - done.createdAt.getTime() : "?"} ms`);

  expect(await downloadedSha(h2.uri, h2.pool.name, volume.libvirtName)).toBe(volume.sha256);
  expect(await volumesIn(h1.uri, h1.pool.name, h1.pool.path)).toEqual({ libvirt: [], files: [] });
  expect(await volumesIn(h2.uri, h2.pool.name, h2.pool.path)).toEqual({ libvirt: [volume.libvirtName], files: [volume.libvirtName] });
  const row = await stack.core.db.volume.findUniqueOrThrow({ where: { id: volume.id } });
  expect(row).toMatchObject({ poolId: h2.carvePool.id, state: "Ready", activeJobId: null });
  expect(row.path).toBe(join(h2.pool.path, volume.libvirtName));
});

it("cancel stops both sides: the job fails as cancelled, the source stays, the destination keeps no partial copy", async () => {
  const [h1, h2] = hosts;
  await setStorageSettings(stack.core, admin, { migrationBandwidthMiBps: 16 });
  const { job } = await migrateVolume(stack.core, dev, { volume: volume.id, pool: h1.carvePool.name });
  await until(async () => ((await stack.core.db.job.findUniqueOrThrow({ where: { id: job.id } })).progress ?? 0) >= 10, 60_000, "the copy to pass 10%");
  await cancelVolumeMigration(stack.core, dev, { volume: "bigdata" });
  const cancelled = await stack.finish(dev, job.id);
  console.info(`[storage migration] cancelled at ${cancelled.progress}%: ${cancelled.errorMessage ?? ""}`);
  expect(cancelled.state).toBe("Failed");
  expect(cancelled.errorMessage).toContain("cancelled");
  expect(cancelled.errorMessage).toContain(`The volume stays in pool ${h2.carvePool.name}`);
  await until(async () => (await readdir(h1.pool.path)).every((n) => !n.startsWith(volume.libvirtName)), 10_000, "the receiver to remove its partial copy");
  expect(await volumesIn(h1.uri, h1.pool.name, h1.pool.path)).toEqual({ libvirt: [], files: [] });
  expect(await downloadedSha(h2.uri, h2.pool.name, volume.libvirtName)).toBe(volume.sha256);
  expect(await stack.core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ poolId: h2.carvePool.id, state: "Ready", activeJobId: null });
});

it("killing the destination agent mid-migration: the job fails with a reason, the source stays intact and authoritative, nothing half-copied remains, a retry succeeds", async () => {
  const [h1, h2] = hosts;
  // Slow enough to kill it half-way (256 MiB at 16 MiB/s: 16 s).
  await setStorageSettings(stack.core, admin, { migrationBandwidthMiBps: 16 });
  const { job } = await migrateVolume(stack.core, dev, { volume: volume.id, pool: h1.carvePool.name });
  await until(async () => ((await stack.core.db.job.findUniqueOrThrow({ where: { id: job.id } })).progress ?? 0) >= 20, 60_000, "the copy to pass 20%");
  const partialBeforeKill = (await readdir(h1.pool.path)).filter((n) => n.endsWith(".partial"));
  await stack.agents.get(h1.host.id)?.stop("SIGKILL");

  const failed = await stack.finish(dev, job.id);
  expect(failed.state).toBe("Failed");
  console.info(`[storage migration] destination killed at ${failed.progress}%: ${failed.errorMessage ?? ""}`);
  expect(failed.errorMessage).toContain(`The volume stays in pool ${h2.carvePool.name}, intact and usable`);
  const row = await stack.core.db.volume.findUniqueOrThrow({ where: { id: volume.id } });
  expect(row).toMatchObject({ poolId: h2.carvePool.id, state: "Ready", activeJobId: null });
  expect(await downloadedSha(h2.uri, h2.pool.name, volume.libvirtName)).toBe(volume.sha256);
  expect(partialBeforeKill).toEqual([`${volume.libvirtName}.partial`]);

  // The destination's agent comes back: it removes the partial copy before it takes any job.
  await h1.startAgent();
  expect(await volumesIn(h1.uri, h1.pool.name, h1.pool.path)).toEqual({ libvirt: [], files: [] });
  expect((await readdir(h1.pool.path)).filter((n) => n.endsWith(".partial"))).toEqual([]);

  await setStorageSettings(stack.core, admin, { migrationBandwidthMiBps: 0 });
  const retry = await migrateVolume(stack.core, dev, { volume: volume.id, pool: h1.carvePool.name });
  const done = await stack.finish(dev, retry.job.id);
  expect(done.errorMessage).toBeNull();
  expect(done.state).toBe("Succeeded");
  expect(await downloadedSha(h1.uri, h1.pool.name, volume.libvirtName)).toBe(volume.sha256);
  expect(await volumesIn(h1.uri, h1.pool.name, h1.pool.path)).toEqual({ libvirt: [volume.libvirtName], files: [volume.libvirtName] });
  expect(await volumesIn(h2.uri, h2.pool.name, h2.pool.path)).toEqual({ libvirt: [], files: [] });
  expect((await readdir(h1.pool.path)).filter((n) => n.endsWith(".partial"))).toEqual([]);
  expect(await stack.core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ poolId: h1.carvePool.id, state: "Ready" });
  // The receive the killed agent was running ends too (cancelled when its migration failed).
  await until(async () => (await stack.core.db.job.count({ where: { state: { in: ["Queued", "Running"] } } })) === 0, 60_000, "every migration job to end");
});

it("a stopped VM's root disk moves to the shared pool its host sees; the VM then boots from the copy", async () => {
  await setStorageSettings(stack.core, admin, { migrationBandwidthMiBps: 0 });
  const { vm, job: created } = await createVm(stack.core, dev, { name: "mover", template: "tiny", offering: "tiny" });
  expect((await stack.finish(dev, created.id)).state).toBe("Succeeded");
  expect((await stack.finish(dev, (await stopVm(stack.core, dev, { vm: vm.id, force: true })).id)).state).toBe("Succeeded");
  const { hostId } = await stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { hostId: true } });
  const host = two.hosts.find((h) => h.host.id === hostId);
  if (!host) throw new Error("the VM is on neither host");
  const root = await stack.core.db.volume.findFirstOrThrow({ where: { vmId: vm.id, kind: "Root" } });

  const { job } = await migrateVolume(stack.core, dev, { volume: root.id, pool: two.shared.carvePool.name });
  // Held while its disk moves: starting it now is refused.
  await expect(startVm(stack.core, dev, { vm: vm.id })).rejects.toThrow();
  const done = await stack.finish(dev, job.id);
  expect(done.errorMessage).toBeNull();
  const moved = await stack.core.db.volume.findUniqueOrThrow({ where: { id: root.id } });
  expect(moved).toMatchObject({ poolId: two.shared.carvePool.id, state: "Attached", path: join(two.shared.pool.path, root.libvirtName) });
  expect(await virsh(host.uri, ["domblklist", `carve-${vm.id}`])).toContain(join(two.shared.pool.path, root.libvirtName));
  expect((await readdir(host.pool.path)).filter((n) => n === root.libvirtName)).toEqual([]);

  await rm(host.consoleLog(vm.id), { force: true });
  expect((await stack.finish(dev, (await startVm(stack.core, dev, { vm: vm.id })).id)).state).toBe("Succeeded");
  await until(async () => (await readFile(host.consoleLog(vm.id), "utf8").catch(() => "")).length > 0, 60_000, "the guest to print on its console after booting from the moved disk");
  expect((await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: vm.id })).id)).state).toBe("Succeeded");
});
