import type { THeartbeat, TPoolReport } from "@carve/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { addPool } from "./add-pool.ts";
import { DEFINE_SETTLE_MS, recordPoolReports } from "./record-pool-reports.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const GIB = 1024 ** 3;
const report = (name: string, capacityBytes: number): TPoolReport => ({ name, active: true, capacityBytes, allocationBytes: 0, availableBytes: capacityBytes });
const beat = (at: Date, pools: TPoolReport[]): THeartbeat => ({ at: at.toISOString(), hostname: "host-1", cpus: 8, memoryMiB: 16384, agentVersion: "t", protocolVersion: 1, pools });

/** host-1 with its pool `default` (20 GiB, already reported), and an admin who adds `extra` there. */
async function addExtraPool() {
  const admin = await createTestUser(core, "root", "Admin");
  const host = await core.db.host.create({ data: { name: "host-1", uri: "test:///default", state: "Up", cpus: 8, memoryMiB: 16384 } });
  const old = await core.db.storagePool.create({
    data: { name: "pool-1", libvirtName: "default", path: "/var/lib/carve/pool-1", hostId: host.id, hosts: { create: { hostId: host.id } }, capacityBytes: BigInt(20 * GIB), capacityReportedAt: new Date() },
  });
  // The agent's latest beat, taken before the admin clicked "Add pool": no carve-extra in it.
  core.queues.heartbeats.set(host.id, beat(new Date(), [report("default", 20 * GIB)]));
  const extra = await addPool(core, admin, { name: "extra", hosts: ["host-1"], libvirtName: "carve-extra", path: "/srv/extra" });
  return { host, old, extra, jobId: extra.jobs[0]?.id ?? "" };
}

async function defineDone(jobId: string, poolId: string, capacityBytes: number) {
  core.queues.settle(jobId, { result: { poolId, name: "carve-extra", adopted: false, capacityBytes, allocationBytes: 0, availableBytes: capacityBytes } });
  await sweepJobs(core);
}

const poolEvents = (toState: string) => core.db.event.findMany({ where: { type: "pool.state", toState } });

describe("a heartbeat taken before a pool.define result never undoes it", () => {
  it("the beat read just after the define leaves the new pool Up with its capacity, and records no Unhealthy", async () => {
    const { host, old, extra, jobId } = await addExtraPool();
    await defineDone(jobId, extra.id, 100 * GIB);
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: extra.id } })).toMatchObject({ state: "Up", capacityBytes: BigInt(100 * GIB) });
    // The controller's next round reads a beat taken before the define: it must not flip the pool.
    core.queues.heartbeats.set(host.id, beat(new Date(Date.now() - 1_000), [report("default", 30 * GIB)]));
    await recordPoolReports(core);
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: extra.id } })).toMatchObject({ state: "Up", stateReason: null, capacityBytes: BigInt(100 * GIB) });
    expect(await poolEvents("Unhealthy")).toEqual([]);
    // The same beat still speaks for the host's other pools.
    expect((await core.db.storagePool.findUniqueOrThrow({ where: { id: old.id } })).capacityBytes).toBe(BigInt(30 * GIB));
  });

  it("a beat read while the agent is still defining the pool does not call it missing", async () => {
    const { extra } = await addExtraPool();
    await recordPoolReports(core);
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: extra.id } })).toMatchObject({ state: "Up", stateReason: null });
    expect(await poolEvents("Unhealthy")).toEqual([]);
  });

  it("a beat taken a heartbeat after the define that lacks the pool still makes it Unhealthy", async () => {
    const { host, extra, jobId } = await addExtraPool();
    await defineDone(jobId, extra.id, 100 * GIB);
    const later = new Date(Date.now() + DEFINE_SETTLE_MS + 1_000);
    core.now = () => later;
    core.queues.heartbeats.set(host.id, beat(later, [report("default", 20 * GIB)]));
    await recordPoolReports(core);
    const pool = await core.db.storagePool.findUniqueOrThrow({ where: { id: extra.id } });
    expect(pool.state).toBe("Unhealthy");
    expect(pool.stateReason).toBe("host host-1 has no libvirt pool named carve-extra: define it there (carve pool define extra) or fix the pool's libvirt name");
    expect((await poolEvents("Unhealthy")).map((e) => e.message)).toEqual([`pool extra is Unhealthy: ${pool.stateReason}`]);
  });

  it("a beat taken after the define that lists the pool updates its capacity", async () => {
    const { host, extra, jobId } = await addExtraPool();
    await defineDone(jobId, extra.id, 100 * GIB);
    const later = new Date(Date.now() + DEFINE_SETTLE_MS + 1_000);
    core.now = () => later;
    core.queues.heartbeats.set(host.id, beat(later, [report("default", 20 * GIB), report("carve-extra", 90 * GIB)]));
    await recordPoolReports(core);
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: extra.id } })).toMatchObject({ state: "Up", capacityBytes: BigInt(90 * GIB), capacityReportedAt: later });
  });
});
