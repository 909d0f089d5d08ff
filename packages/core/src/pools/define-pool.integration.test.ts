import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { addPool } from "./add-pool.ts";
import { definePool } from "./define-pool.ts";
import { DEFINE_SETTLE_MS, recordPoolReports } from "./record-pool-reports.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const GIB = 1024 ** 3;
const defined = (poolId: string, name: string, capacityBytes: number, adopted = false) => ({
  result: { poolId, name, adopted, capacityBytes, allocationBytes: 0, availableBytes: capacityBytes },
});

async function setup() {
  const admin = await createTestUser(core, "root", "Admin");
  for (const name of ["hv1", "hv2"]) await core.db.host.create({ data: { name, uri: "test:///default", state: "Up", cpus: 8, memoryMiB: 16384 } });
  return admin;
}

async function answer(jobId: string, outcome: { result: unknown } | { reason: string }) {
  core.queues.settle(jobId, outcome);
  await sweepJobs(core);
}

describe("pools are defined in libvirt by their hosts' agents", () => {
  it("addPool sends pool.define; the capacity it reports makes the pool Up and placeable", async () => {
    const admin = await setup();
    const pool = await addPool(core, admin, { name: "images", hosts: ["hv1"], libvirtName: "images", path: "/srv/images" });
    const [job] = core.queues.byName("pool.define");
    expect(job?.envelope.payload).toEqual({ poolId: pool.id, name: "images", kind: "dir", path: "/srv/images" });
    expect(pool.jobs.map((j) => j.id)).toEqual([job?.envelope.jobId]);
    await answer(pool.jobs[0]?.id ?? "", defined(pool.id, "images", 200 * GIB));
    const after = await core.db.storagePool.findUniqueOrThrow({ where: { id: pool.id } });
    expect(after).toMatchObject({ state: "Up", stateReason: null, capacityBytes: BigInt(200 * GIB), libvirtName: "images" });
    expect(after.capacityReportedAt).not.toBeNull();
  });

  it("records the name of an adopted libvirt pool (same target, another name)", async () => {
    const admin = await setup();
    const pool = await addPool(core, admin, { name: "images", hosts: ["hv1"], libvirtName: "images", path: "/srv/images" });
    await answer(pool.jobs[0]?.id ?? "", defined(pool.id, "old-images", 50 * GIB, true));
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: pool.id } })).toMatchObject({ state: "Up", libvirtName: "old-images" });
    const event = await core.db.event.findFirstOrThrow({ where: { type: "pool.state" }, orderBy: { id: "desc" } });
    expect(event.message).toBe("pool images is Up (adopted libvirt pool old-images)");
  });

  it("a pool that reports zero capacity is Unhealthy with what to check, from define and from heartbeats", async () => {
    const admin = await setup();
    const pool = await addPool(core, admin, { name: "nas", scope: "Shared", kind: "Netfs", sourceHost: "nas.example", sourcePath: "/export/vms", hosts: ["hv1", "hv2"], libvirtName: "nas", path: "/mnt/nas" });
    const jobs = core.queues.byName("pool.define");
    expect(jobs.map((j) => j.hostId).sort()).toEqual((await core.db.host.findMany({ orderBy: { id: "asc" } })).map((h) => h.id).sort());
    expect(jobs[0]?.envelope.payload).toMatchObject({ kind: "netfs", source: { host: "nas.example", path: "/export/vms" }, path: "/mnt/nas" });
    await answer(jobs[0]?.envelope.jobId ?? "", defined(pool.id, "nas", 0));
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: pool.id } })).toMatchObject({
      state: "Unhealthy",
      stateReason: "pool reports zero capacity: check the mount/export",
    });

    // The heartbeat path says the same (record-pool-reports.ts), with a beat taken once the
    // define's result has settled (an earlier one may predate it and is not taken as news).
    const hv1 = await core.db.host.findFirstOrThrow({ where: { name: "hv1" } });
    await core.db.storagePool.update({ where: { id: pool.id }, data: { state: "Up", stateReason: null } });
    const later = new Date(Date.now() + DEFINE_SETTLE_MS + 1_000);
    core.now = () => later;
    core.queues.heartbeats.set(hv1.id, {
      at: later.toISOString(), hostname: "hv1", cpus: 8, memoryMiB: 16384, agentVersion: "t", protocolVersion: 1,
      pools: [{ name: "nas", active: true, capacityBytes: 0, allocationBytes: 0, availableBytes: 0 }],
    }); // prettier-ignore
    await recordPoolReports(core);
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: pool.id } })).toMatchObject({ state: "Unhealthy", stateReason: "pool reports zero capacity: check the mount/export" });
  });

  it("a failed define leaves the pool Unhealthy with the agent's reason; 'pool define' retries on each host", async () => {
    const admin = await setup();
    const pool = await addPool(core, admin, { name: "shared", scope: "Shared", hosts: ["hv1", "hv2"], libvirtName: "shared", path: "/srv/shared" });
    await answer(pool.jobs[0]?.id ?? "", { reason: "libvirt could not start pool shared: mount.nfs: access denied" });
    const sick = await core.db.storagePool.findUniqueOrThrow({ where: { id: pool.id } });
    expect(sick.state).toBe("Unhealthy");
    expect(sick.stateReason).toContain("mount.nfs: access denied; fix the cause, then run 'carve pool define shared'");

    const retry = await definePool(core, admin, { pool: "shared" });
    expect(retry.jobs).toHaveLength(2);
    const one = await definePool(core, admin, { pool: "shared", host: "hv2" });
    expect(one.jobs.map((j) => j.hostId)).toEqual([(await core.db.host.findFirstOrThrow({ where: { name: "hv2" } })).id]);
    await answer(retry.jobs[0]?.id ?? "", defined(pool.id, "shared", 10 * GIB));
    expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: pool.id } })).state).toBe("Up");
  });

  it("refuses a Netfs pool without its export, and users", async () => {
    const admin = await setup();
    const error = await addPool(core, admin, { name: "nas", kind: "Netfs", hosts: ["hv1"], libvirtName: "nas", path: "/mnt/nas" }).catch((e: CarveError) => e);
    expect(error).toBeInstanceOf(CarveError);
    expect((error as CarveError).fields?.[0]?.field).toBe("sourceHost");
    const alice = await createTestUser(core, "alice");
    expect(await definePool(core, alice, { pool: "nas" }).catch((e: CarveError) => e.code)).toBe("FORBIDDEN");
  });
});
