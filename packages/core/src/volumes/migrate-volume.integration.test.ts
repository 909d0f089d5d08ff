import { afterEach, beforeEach, expect, it } from "vitest";
import { newJoinKeyPair, openSealed, SEAL_PURPOSE_JOB_SECRET, ZSealed, type THeartbeat } from "@carve/protocol";
import { z } from "zod";
import { CarveError } from "../errors/index.ts";
import { finaliseJob } from "../jobs/finalise-job.ts";
import { setStorageSettings } from "../settings/set-storage-settings.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { cancelVolumeMigration } from "./cancel-volume-migration.ts";
import { migrateVolume } from "./migrate-volume.ts";

let core: TTestCore;
let infra: Awaited<ReturnType<typeof seedInfra>>;
const keys = [newJoinKeyPair(), newJoinKeyPair()];
const GIB = 1024 ** 3;

beforeEach(async () => {
  core = await createTestCore();
  infra = await seedInfra(core, { hosts: 2, poolGiB: 100 });
  for (const [i, { host }] of infra.hosts.entries()) {
    await core.db.host.update({ where: { id: host.id }, data: { sealKey: keys[i]?.publicKey ?? null } });
    core.queues.heartbeats.set(host.id, beat(`127.0.0.1:${7000 + i}`));
  }
});
afterEach(async () => {
  await core.drop();
});

function beat(address: string | null): THeartbeat {
  return { at: new Date().toISOString(), hostname: "h", cpus: 8, memoryMiB: 16384, agentVersion: "test", protocolVersion: 1, pools: [], ...(address ? { storageMigration: { address } } : {}) };
}

async function dataVolume(ownerId: string, poolIndex: number, extra: { vmId?: string; sizeGiB?: number } = {}) {
  const pool = infra.hosts[poolIndex]?.pool;
  if (!pool) throw new Error("no pool");
  return core.db.volume.create({
    data: { name: "data-1", kind: "Data", ownerId, poolId: pool.id, libvirtName: `carve-vol-${poolIndex}-${Date.now()}`, sizeGiB: extra.sizeGiB ?? 10, state: extra.vmId ? "Attached" : "Ready", vmId: extra.vmId ?? null, path: "/pool/x" },
  });
}

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CarveError);
  return error as CarveError;
}

const ZPayload = z.object({ token: ZSealed, bandwidthMiBps: z.number().optional() });

it("moves a detached volume to another host's pool: capacity reserved, one-time token sealed to each agent, source released once the copy is verified", async () => {
  const dev = await createTestUser(core, "dev");
  const admin = await createTestUser(core, "ops", "Admin");
  await setStorageSettings(core, admin, { migrationBandwidthMiBps: 40 });
  const volume = await dataVolume(dev.userId, 0);
  const [h1, h2] = infra.hosts;
  if (!h1 || !h2) throw new Error("two hosts");
  await core.db.storagePool.update({ where: { id: h1.pool.id }, data: { reservedBytes: BigInt(10 * GIB) } });

  const { job } = await migrateVolume(core, dev, { volume: "data-1", pool: "pool-2" });
  expect(job).toMatchObject({ kind: "volume.migrate", hostId: h1.host.id, state: "Queued" });
  expect(await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ state: "Migrating", activeJobId: job.id, poolId: h1.pool.id });
  expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: h2.pool.id } })).reservedBytes).toBe(BigInt(10 * GIB));

  const send = core.queues.jobs.get(job.id);
  const receive = [...core.queues.jobs.values()].find((j) => j.name === "volume.migrate-receive");
  expect(send?.hostId).toBe(h1.host.id);
  expect(receive?.hostId).toBe(h2.host.id);
  const sendPayload = ZPayload.parse(send?.envelope.payload);
  const receivePayload = ZPayload.parse(receive?.envelope.payload);
  expect(sendPayload.bandwidthMiBps).toBe(40);
  // Each agent opens the same token with its own key; the other's key opens nothing.
  const token = openSealed(keys[0]!.privateKey, sendPayload.token, SEAL_PURPOSE_JOB_SECRET); // keys has two entries
  expect(openSealed(keys[1]!.privateKey, receivePayload.token, SEAL_PURPOSE_JOB_SECRET)).toBe(token); // keys has two entries
  expect(() => openSealed(keys[1]!.privateKey, sendPayload.token, SEAL_PURPOSE_JOB_SECRET)).toThrow(); // keys has two entries
  const rows = await core.db.job.findMany({ select: { request: true } });
  expect(JSON.stringify(rows)).not.toContain(token);
  expect(JSON.stringify([...core.queues.jobs.values()].map((j) => j.envelope))).not.toContain(token);

  const sha256 = "a".repeat(64);
  await finaliseJob(core, job.id, { ok: true, result: { volumeId: volume.id, path: "/pools/h2/vol", bytes: 1024, sha256, durationMs: 10, sourceDeleted: true } });
  expect(await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ state: "Ready", activeJobId: null, poolId: h2.pool.id, path: "/pools/h2/vol" });
  expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: h1.pool.id } })).reservedBytes).toBe(0n);
  expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: h2.pool.id } })).reservedBytes).toBe(BigInt(10 * GIB));
  const event = await core.db.event.findFirstOrThrow({ where: { type: "volume.migrated" } });
  expect(event.message).toContain("from pool pool-1 (host-1) to pool pool-2 (host-2)");
});

it("a verified move whose agent could not delete the source has it deleted on the source host by a drift.remove job (issue 19)", async () => {
  const dev = await createTestUser(core, "dev");
  const created = await dataVolume(dev.userId, 0);
  const volume = await core.db.volume.update({ where: { id: created.id }, data: { libvirtName: `carve-${created.id}.qcow2` } });
  const [h1] = infra.hosts;
  const { job } = await migrateVolume(core, dev, { volume: "data-1", pool: "pool-2" });
  await finaliseJob(core, job.id, { ok: true, result: { volumeId: volume.id, path: "/pools/h2/vol", bytes: 1024, sha256: "a".repeat(64), durationMs: 10, sourceDeleted: false } });
  expect(await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ state: "Ready", poolId: infra.hosts[1]?.pool.id });
  const cleanup = await core.db.job.findFirstOrThrow({ where: { kind: "drift.remove" } });
  expect(cleanup).toMatchObject({ hostId: h1?.host.id, state: "Queued", request: { payload: { kind: "volume", pool: "default", name: volume.libvirtName } } });
});

it("a failed migration leaves the volume in its source pool, authoritative, gives the target's reservation back and stops the receiver", async () => {
  const dev = await createTestUser(core, "dev");
  const volume = await dataVolume(dev.userId, 0);
  const { job } = await migrateVolume(core, dev, { volume: volume.id, pool: "pool-2" });
  const receive = [...core.queues.jobs.entries()].find(([, j]) => j.name === "volume.migrate-receive");
  await finaliseJob(core, job.id, { ok: false, message: "the destination closed the connection" });
  const after = await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } });
  expect(after).toMatchObject({ state: "Ready", activeJobId: null, poolId: infra.hosts[0]?.pool.id });
  expect(after.stateReason).toContain("the destination closed the connection");
  expect((await core.db.job.findUniqueOrThrow({ where: { id: job.id } })).errorMessage).toBe(
    "Moving volume data-1 from pool pool-1 (host-1) to pool pool-2 (host-2) failed: the destination closed the connection. The volume stays in pool pool-1, intact and usable; retry with 'carve volume migrate data-1 --pool pool-2'.",
  );
  expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: infra.hosts[1]?.pool.id ?? "" } })).reservedBytes).toBe(0n);
  expect(core.queues.cancelRequests.has(receive?.[0] ?? "")).toBe(true);
  // And it can be tried again at once.
  const again = await migrateVolume(core, dev, { volume: volume.id, pool: "pool-2" });
  expect(again.job.state).toBe("Queued");
});

it("cancel asks both agents to stop", async () => {
  const dev = await createTestUser(core, "dev");
  const volume = await dataVolume(dev.userId, 0);
  const { job } = await migrateVolume(core, dev, { volume: volume.id, pool: "pool-2" });
  const receiveId = [...core.queues.jobs.entries()].find(([, j]) => j.name === "volume.migrate-receive")?.[0];
  expect((await cancelVolumeMigration(core, dev, { volume: "data-1" })).id).toBe(job.id);
  expect([...core.queues.cancelRequests].sort()).toEqual([job.id, receiveId].sort());
  await finaliseJob(core, job.id, { ok: false, message: "cancelled" });
  expect((await refusal(cancelVolumeMigration(core, dev, { volume: "data-1" }))).message).toContain("is not being migrated");
});

it("refuses with what to do: attached to a running VM, same pool, unhealthy or full pool, no receiver, someone else's volume", async () => {
  const dev = await createTestUser(core, "dev");
  const other = await createTestUser(core, "other");
  const [h1, h2] = infra.hosts;
  if (!h1 || !h2) throw new Error("two hosts");
  const vm = await core.db.vm.create({
    data: { name: "web", liveName: "web", ownerId: dev.userId, hostId: h1.host.id, templateId: infra.template.id, offeringId: infra.offerings.small.id, state: "Running", vcpus: 1, memoryMiB: 512 },
  });
  const attached = await dataVolume(dev.userId, 0, { vmId: vm.id });
  expect((await refusal(migrateVolume(core, dev, { volume: attached.id, pool: "pool-2" }))).message).toContain("Stop the VM or live-migrate it");
  await core.db.volume.update({ where: { id: attached.id }, data: { vmId: null, state: "Ready" } });

  expect((await refusal(migrateVolume(core, dev, { volume: attached.id, pool: "pool-1" }))).code).toBe("INVALID_INPUT");
  expect((await refusal(migrateVolume(core, dev, { volume: attached.id, pool: "nowhere" }))).code).toBe("POOL_NOT_FOUND");
  expect((await refusal(migrateVolume(core, other, { volume: attached.id, pool: "pool-2" }))).code).toBe("VOLUME_NOT_FOUND");

  await core.db.storagePool.update({ where: { id: h2.pool.id }, data: { state: "Unhealthy", stateReason: "libvirt reports zero capacity" } });
  expect((await refusal(migrateVolume(core, dev, { volume: attached.id, pool: "pool-2" }))).message).toBe(
    "Pool pool-2 is Unhealthy (libvirt reports zero capacity): it takes no volumes now. Choose another pool, or fix it first.",
  );
  await core.db.storagePool.update({ where: { id: h2.pool.id }, data: { state: "Up", stateReason: null, reservedBytes: BigInt(80 * GIB) } });
  const full = await refusal(migrateVolume(core, dev, { volume: attached.id, pool: "pool-2" }));
  expect(full.code).toBe("NO_CAPACITY");
  expect(full.message).toContain("Pool pool-2 has no room for this 10 GiB volume: 5 GiB of its 100 GiB can still be promised (up to 85% of it)");
  await core.db.storagePool.update({ where: { id: h2.pool.id }, data: { reservedBytes: 0n } });

  core.queues.heartbeats.set(h2.host.id, beat(null));
  expect((await refusal(migrateVolume(core, dev, { volume: attached.id, pool: "pool-2" }))).message).toContain("Set CARVE_AGENT_MIGRATION_LISTEN");
  await core.db.host.update({ where: { id: h1.host.id }, data: { state: "Disconnected" } });
  core.queues.heartbeats.set(h2.host.id, beat("127.0.0.1:7001"));
  expect((await refusal(migrateVolume(core, dev, { volume: attached.id, pool: "pool-2" }))).message).toContain("host-1 is Disconnected");
  // Nothing was reserved or changed by any refusal.
  expect(await core.db.volume.findUniqueOrThrow({ where: { id: attached.id } })).toMatchObject({ state: "Ready", activeJobId: null, poolId: h1.pool.id });
  expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: h2.pool.id } })).reservedBytes).toBe(0n);
  expect(await core.db.job.count()).toBe(0);
});

it("a stopped VM's disk moves to a pool its host sees, the VM held meanwhile; another host's local pool is refused with the rule", async () => {
  const dev = await createTestUser(core, "dev");
  const [h1, h2] = infra.hosts;
  if (!h1 || !h2) throw new Error("two hosts");
  const shared = await core.db.storagePool.create({
    data: { name: "shared", libvirtName: "shared", path: "/srv/shared", scope: "Shared", capacityBytes: BigInt(100 * GIB), capacityReportedAt: new Date(), hosts: { create: [{ hostId: h1.host.id }, { hostId: h2.host.id }] } },
  });
  const vm = await core.db.vm.create({
    data: { name: "web", liveName: "web", ownerId: dev.userId, hostId: h1.host.id, templateId: infra.template.id, offeringId: infra.offerings.small.id, state: "Stopped", vcpus: 1, memoryMiB: 512 },
  });
  const disk = await dataVolume(dev.userId, 0, { vmId: vm.id });
  await core.db.volume.update({ where: { id: disk.id }, data: { deviceIndex: 2 } });

  const refused = await refusal(migrateVolume(core, dev, { volume: disk.id, pool: "pool-2" }));
  expect(refused.message).toContain("the VM lives on host host-1, which does not see that pool");

  const { job } = await migrateVolume(core, dev, { volume: disk.id, pool: "shared" });
  expect(ZPayload.extend({ disk: z.object({ vmId: z.string(), target: z.string() }) }).parse(core.queues.jobs.get(job.id)?.envelope.payload).disk).toEqual({ vmId: vm.id, target: "vdc" });
  expect(core.queues.jobs.get(job.id)?.hostId).toBe(h1.host.id);
  expect([...core.queues.jobs.values()].find((j) => j.name === "volume.migrate-receive")?.hostId).toBe(h1.host.id);
  expect(await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: "Stopped", activeJobId: job.id });

  await finaliseJob(core, job.id, { ok: true, result: { volumeId: disk.id, path: "/srv/shared/vol", bytes: 1, sha256: "b".repeat(64), durationMs: 1, sourceDeleted: true } });
  expect(await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: "Stopped", activeJobId: null, hostId: h1.host.id });
  expect(await core.db.volume.findUniqueOrThrow({ where: { id: disk.id } })).toMatchObject({ state: "Attached", poolId: shared.id, path: "/srv/shared/vol" });
});
