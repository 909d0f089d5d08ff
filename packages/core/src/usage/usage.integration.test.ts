import type { VmState } from "@carve/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { aggregateUsage } from "./aggregate-usage.ts";
import { VM_RESIZED_EVENT } from "./collect-usage.ts";
import { meterUsage } from "./meter-usage.ts";
import { usageReport } from "./usage-report.ts";

/** The scripted day: 2026-11-02, UTC. */
const DAY = Date.UTC(2026, 10, 2);
const t = (h: number, m = 0, s = 0) => new Date(DAY + ((h * 60 + m) * 60 + s) * 1000);
const iso = (h: number, m = 0) => t(h, m).toISOString();
const GIB = 1024 ** 3;

let core: TTestCore;
let users: { alice: Awaited<ReturnType<typeof createTestUser>>; bob: Awaited<ReturnType<typeof createTestUser>>; carol: Awaited<ReturnType<typeof createTestUser>> };
let admin: Awaited<ReturnType<typeof createTestUser>>;
let ids: { vm1: string; vm2: string; vm3: string; small: string; large: string; teamA: string; teamB: string };

/** A VM row and its root volume, as the create path writes them, at a time the test chooses. */
async function insertVm(o: { name: string; ownerId: string; teamId: string | null; offeringId: string; hostId: string; templateId: string; poolId: string; diskGiB: number; at: Date }) {
  const vm = await core.db.vm.create({
    data: { name: o.name, liveName: o.name, ownerId: o.ownerId, teamId: o.teamId, hostId: o.hostId, templateId: o.templateId, offeringId: o.offeringId, vcpus: 1, memoryMiB: 512, createdAt: o.at },
  });
  await core.db.volume.create({
    data: { name: `${o.name}-root`, kind: "Root", vmId: vm.id, ownerId: o.ownerId, poolId: o.poolId, libvirtName: `${vm.id}.qcow2`, sizeGiB: o.diskGiB, state: "Attached", createdAt: o.at },
  });
  return vm.id;
}

/** The VM's state events, each at its scripted time (the first one has no fromState, like a create's). */
async function script(vmId: string, steps: [Date, VmState][]) {
  let from: VmState | null = null;
  for (const [at, to] of steps) {
    await core.db.event.create({ data: { at, type: "vm.state", vmId, fromState: from, toState: to, message: `→ ${to}` } });
    from = to;
  }
}

async function destroyAt(vmId: string, at: Date) {
  await core.db.vm.update({ where: { id: vmId }, data: { state: "Destroyed", liveName: null, destroyedAt: at } });
  await core.db.volume.updateMany({ where: { vmId }, data: { state: "Deleted", deletedAt: at } });
}

/** Every usage record, without the columns a rewrite renews (id, createdAt). */
async function records() {
  const rows = await core.db.usageRecord.findMany({ orderBy: [{ granularity: "asc" }, { periodStart: "asc" }, { subjectId: "asc" }, { kind: "asc" }, { dimension: "asc" }] });
  return rows.map(({ id: _id, createdAt: _createdAt, ...rest }) => rest);
}

beforeAll(async () => {
  core = await createTestCore();
  core.now = () => new Date(DAY + 25 * 3600_000); // 01:00 the next day: the scripted day is over
  const infra = await seedInfra(core);
  const [h1, h2] = infra.hosts;
  if (!h1 || !h2) throw new Error("seedInfra made two hosts");
  const shared = await core.db.storagePool.create({
    data: { name: "nfs", libvirtName: "nfs", path: "/srv/nfs", scope: "Shared", kind: "Netfs", hosts: { create: [{ hostId: h1.host.id }, { hostId: h2.host.id }] } },
  });
  users = { alice: await createTestUser(core, "alice"), bob: await createTestUser(core, "bob"), carol: await createTestUser(core, "carol") };
  admin = await createTestUser(core, "root", "Admin");
  const teamA = await core.db.group.create({ data: { name: "team-a", isTeam: true, members: { create: { userId: users.alice.userId } } } });
  // A name that needs CSV quoting.
  const teamB = await core.db.group.create({ data: { name: 'ops, "blue"', isTeam: true, members: { create: { userId: users.bob.userId } } } });
  const { small, large } = infra.offerings;
  const base = { templateId: infra.template.id, hostId: h1.host.id };

  // alice (team-a): small VM, stopped over lunch, resized to large while running, destroyed in the afternoon.
  const vm1 = await insertVm({ ...base, name: "alice-1", ownerId: users.alice.userId, teamId: teamA.id, offeringId: large.id, poolId: h1.pool.id, diskGiB: 10, at: t(8, 15) });
  await script(vm1, [[t(8, 15), "Creating"], [t(8, 15, 30), "Running"], [t(12), "Stopping"], [t(12, 0, 10), "Stopped"], [t(13, 30), "Starting"], [t(13, 30, 5), "Running"]]);
  // No resize use-case exists yet: the resize is the event metering reads (the row already holds the new offering).
  await core.db.event.create({ data: { at: t(15, 20), type: VM_RESIZED_EVENT, vmId: vm1, message: "resized", data: { fromOfferingId: small.id, toOfferingId: large.id } } });
  await script(vm1, [[t(17, 45), "Destroying"], [t(17, 45, 20), "Destroyed"]]);
  await destroyAt(vm1, t(17, 45, 20));

  // bob (team-b): large VM on shared storage, stopped in the evening and still stopped at midnight.
  const vm2 = await insertVm({ ...base, name: "bob-1", ownerId: users.bob.userId, teamId: teamB.id, offeringId: large.id, poolId: shared.id, diskGiB: 20, at: t(9) });
  await script(vm2, [[t(9), "Creating"], [t(9, 0, 40), "Running"], [t(22, 10), "Stopping"], [t(22, 10, 15), "Stopped"]]);

  // carol (no team): created ten seconds before midnight, running after it.
  const vm3 = await insertVm({ ...base, hostId: h2.host.id, name: "carol-1", ownerId: users.carol.userId, teamId: null, offeringId: small.id, poolId: h2.pool.id, diskGiB: 5, at: t(23, 59, 50) });
  await script(vm3, [[t(23, 59, 50), "Creating"], [t(24, 0, 10), "Running"]]);

  // The template's image (1 GiB) is stored from 06:00.
  await core.db.event.create({ data: { at: t(6), type: "template.ready", message: "ready", data: { templateId: infra.template.id, sizeBytes: String(GIB) } } });

  ids = { vm1, vm2, vm3, small: small.id, large: large.id, teamA: teamA.id, teamB: teamB.id };
  await aggregateUsage(core, admin, { from: iso(0), to: iso(24) });
});
afterAll(async () => {
  await core.drop();
});

describe("usage metering over a scripted day", () => {
  it("matches the hand computation to the second in the day records", async () => {
    const day = await core.db.usageRecord.findMany({ where: { granularity: "Day", periodStart: t(0) } });
    const seconds = (subjectId: string, kind: string, dimension = "") =>
      Number(day.find((r) => r.subjectId === subjectId && r.kind === kind && r.dimension === dimension)?.durationMs ?? -1000) / 1000;
    // alice: allocated 08:15:00–08:15:30 and 12:00:00–13:30:05; running small 08:15:30–12:00 and 13:30:05–15:20, large 15:20–17:45.
    expect(seconds(ids.vm1, "VmAllocated", ids.small)).toBe(30 + 5405);
    expect(seconds(ids.vm1, "VmRunning", ids.small)).toBe(13_470 + 6_595);
    expect(seconds(ids.vm1, "VmRunning", ids.large)).toBe(8_700);
    expect(day.filter((r) => r.subjectId === ids.vm1)).toHaveLength(3);
    // bob: allocated 09:00:00–09:00:40 and 22:10–24:00 (still stopped); running 09:00:40–22:10.
    expect(seconds(ids.vm2, "VmAllocated", ids.large)).toBe(40 + 6_600);
    expect(seconds(ids.vm2, "VmRunning", ids.large)).toBe(47_360);
    // carol: the ten seconds before midnight; her running time belongs to the next day.
    expect(seconds(ids.vm3, "VmAllocated", ids.small)).toBe(10);
    expect(day.some((r) => r.subjectId === ids.vm3 && r.kind === "VmRunning")).toBe(false);
    const volumes = day.filter((r) => r.kind === "Volume").map((r) => [r.poolScope, Number(r.size), Number(r.durationMs) / 1000]);
    expect(volumes.sort()).toEqual([["Local", 10, 34_220], ["Local", 5, 10], ["Shared", 20, 54_000]].sort());
    const template = day.find((r) => r.kind === "Template");
    expect([Number(template?.size), Number(template?.durationMs) / 1000]).toEqual([GIB, 18 * 3600]);
  });

  it("splits the same usage into hours that add up to the day, with a resize inside one hour", async () => {
    const hours = await core.db.usageRecord.findMany({ where: { granularity: "Hour", subjectId: ids.vm1 } });
    const at15 = hours.filter((r) => r.periodStart.getTime() === t(15).getTime()).map((r) => [r.kind, r.dimension, Number(r.durationMs) / 1000]);
    expect(at15.sort()).toEqual([["VmRunning", ids.large, 2400], ["VmRunning", ids.small, 1200]].sort());
    const days = await core.db.usageRecord.findMany({ where: { granularity: "Day" } });
    for (const day of days) {
      const sum = (await core.db.usageRecord.findMany({ where: { granularity: "Hour", subjectId: day.subjectId, kind: day.kind, dimension: day.dimension, periodStart: { gte: t(0), lt: t(24) } } }))
        .reduce((total, r) => total + r.durationMs, 0n);
      expect(sum).toBe(day.durationMs);
    }
  });

  it("changes nothing when the same period is aggregated again, by an admin or by the controller's lookback", async () => {
    const before = await records();
    expect(before.length).toBeGreaterThan(40);
    await aggregateUsage(core, admin, { from: iso(0), to: iso(24) });
    expect(await records()).toEqual(before);
    // The controller at 01:00 re-aggregates 23:00–01:00: the scripted day's last hour is rewritten identically and carol's first hour added.
    const metered = await meterUsage(core);
    expect(metered?.hourRecords).toBeGreaterThan(0);
    const after = await records();
    expect(after.filter((r) => r.periodStart < t(24))).toEqual(before);
    expect(after.filter((r) => r.periodStart >= t(24)).map((r) => [r.kind, r.dimension, Number(r.durationMs) / 1000]).sort()).toEqual(
      [["VmAllocated", ids.large, 3600], ["VmAllocated", ids.small, 10], ["VmRunning", ids.small, 3590], ["Volume", "", 3600], ["Volume", "", 3600], ["Template", "", 3600]].sort(),
    );
    // Not due again within its interval.
    expect(await meterUsage(core)).toBeNull();
  });

  it("refuses periods that are not over yet, and non-admins", async () => {
    await expect(aggregateUsage(core, admin, { from: iso(24), to: iso(26) })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(aggregateUsage(core, admin, { from: iso(1, 30), to: iso(2) })).rejects.toThrow(/whole UTC hour/);
    await expect(aggregateUsage(core, users.alice, { from: iso(0), to: iso(1) })).rejects.toBeInstanceOf(CarveError);
  });
});

describe("usage reports", () => {
  it("totals the day per user, team and offering", async () => {
    const range = { from: iso(0), to: iso(24), granularity: "day" };
    const byUser = await usageReport(core, admin, { ...range, by: "user" });
    expect(byUser.rows.map((r) => [r.name, r.runningSeconds, r.allocatedSeconds, r.localVolumeGiBHours, r.sharedVolumeGiBHours, r.templateGiBHours])).toEqual([
      ["(templates: no owner)", 0, 0, 0, 0, 18],
      ["alice", 28_765, 5_435, 95.055556, 0, 0],
      ["bob", 47_360, 6_640, 0, 300, 0],
      ["carol", 0, 10, 0.013889, 0, 0],
    ]);
    const byTeam = await usageReport(core, admin, { ...range, by: "team" });
    expect(byTeam.rows.map((r) => [r.name, r.runningSeconds, r.allocatedSeconds, r.templateGiBHours])).toEqual([
      ["(no team)", 0, 10, 18],
      ['ops, "blue"', 47_360, 6_640, 0],
      ["team-a", 28_765, 5_435, 0],
    ]);
    const byOffering = await usageReport(core, admin, { ...range, by: "offering" });
    expect(byOffering.rows.map((r) => [r.name, r.runningSeconds, r.allocatedSeconds, r.localVolumeGiBHours, r.sharedVolumeGiBHours])).toEqual([
      ["(no offering: volumes, templates)", 0, 0, 95.069444, 300],
      ["large", 56_060, 6_640, 0, 0],
      ["small", 20_065, 5_445, 0, 0],
    ]);
  });

  it("takes exactly the records whose period starts in [from, to)", async () => {
    // 12:00–13:00 alice is Stopping/Stopped: the record starting at `from` is in, the one starting at `to` (13:00) is out.
    const noon = await usageReport(core, admin, { from: iso(12), to: iso(13), by: "user" });
    expect(noon.rows.find((r) => r.name === "alice")).toMatchObject({ runningSeconds: 0, allocatedSeconds: 3600 });
    // 11:00–12:00: running all hour; the 12:00 record (allocated) starts at `to` and stays out.
    const eleven = await usageReport(core, admin, { from: iso(11), to: iso(12), by: "user" });
    expect(eleven.rows.find((r) => r.name === "alice")).toMatchObject({ runningSeconds: 3600, allocatedSeconds: 0 });
    // A `from` one millisecond after an hour starts leaves that hour out.
    const late = await usageReport(core, admin, { from: new Date(t(12).getTime() + 1).toISOString(), to: iso(14), by: "user" });
    expect(late.rows.find((r) => r.name === "alice")).toMatchObject({ runningSeconds: 1795, allocatedSeconds: 1805 });
  });

  it("is for admins only (a user sees their own usage with usageHistory)", async () => {
    await expect(usageReport(core, users.bob, { from: iso(0), to: iso(24), by: "team" })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("Only administrators can report everyone's usage") });
  });

  it("exports CSV with a header and quoted names", async () => {
    const report = await usageReport(core, admin, { from: iso(0), to: iso(24), by: "team", granularity: "day", format: "csv" });
    expect(report.csv?.split("\r\n")).toEqual([
      "team,id,running_seconds,allocated_seconds,local_volume_gib_hours,shared_volume_gib_hours,template_gib_hours",
      "(no team),,0,10,0.013889,0,18",
      `"ops, ""blue""",${ids.teamB},47360,6640,0,300,0`,
      `team-a,${ids.teamA},28765,5435,95.055556,0,0`,
      "",
    ]);
  });

  it("names the field at fault", async () => {
    await expect(usageReport(core, SYSTEM_ACTOR, { from: iso(2), to: iso(1), by: "user" })).rejects.toThrow(/to: must be after 'from'/);
    await expect(usageReport(core, SYSTEM_ACTOR, { from: "yesterday", to: iso(1), by: "pool" })).rejects.toThrow(/from: must be an ISO 8601.*by: must be user, team or offering/);
  });
});
