import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-usage-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve usage aggregate rewrites a past period from the events; report prints it as a table, JSON and CSV", async () => {
  const owner = await database.db.user.create({ data: { username: "dana", source: "Local" } });
  const template = await database.db.template.create({ data: { name: "tiny", state: "Ready" } });
  const host = await database.db.host.create({ data: { name: "host-a", uri: "test:///default", state: "Up" } });
  const offering = await database.db.serviceOffering.create({ data: { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 } });
  const vm = await database.db.vm.create({ data: { name: "web-1", ownerId: owner.id, hostId: host.id, templateId: template.id, offeringId: offering.id, vcpus: 1, memoryMiB: 512, createdAt: new Date("2026-01-05T10:00:00Z") } });
  await database.db.event.createMany({
    data: [
      { at: new Date("2026-01-05T10:00:00Z"), type: "vm.state", vmId: vm.id, toState: "Running", message: "running" },
      { at: new Date("2026-01-05T10:30:00.500Z"), type: "vm.state", vmId: vm.id, fromState: "Running", toState: "Stopped", message: "stopped" },
    ],
  });
  const range = ["--from", "2026-01-05T10:00:00Z", "--to", "2026-01-05T11:00:00Z"];
  expect(await carve("usage", "aggregate", ...range)).toMatchObject({ code: 0, stdout: "2 hour records for [2026-01-05T10:00:00.000Z, 2026-01-05T11:00:00.000Z)\n" });
  const table = await carve("usage", "report", ...range, "--by", "user");
  expect(table.stdout.split("\n")[1]).toMatch(/^dana\s+1800\.5\s+1799\.5\s+0\s+0\s+0$/);
  expect(JSON.parse((await carve("--json", "usage", "report", ...range, "--by", "offering")).stdout).rows).toEqual([
    { id: offering.id, name: "small", runningSeconds: 1800.5, allocatedSeconds: 1799.5, localVolumeGiBHours: 0, sharedVolumeGiBHours: 0, templateGiBHours: 0 },
  ]);
  expect((await carve("usage", "report", ...range, "--by", "team", "--csv")).stdout).toBe(
    "team,id,running_seconds,allocated_seconds,local_volume_gib_hours,shared_volume_gib_hours,template_gib_hours\r\n(no team),,1800.5,1799.5,0,0,0\r\n",
  );
  expect(await carve("usage", "report", ...range, "--by", "pool")).toMatchObject({ code: 1, stderr: "error: Invalid input. by: must be user, team or offering\n" });
  // Each carve run boots a process (seconds on a busy machine).
}, 240_000);
