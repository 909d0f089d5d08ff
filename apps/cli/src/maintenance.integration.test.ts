import { carveInProcess } from "./testing/carve-in-process.ts";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-maint-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve host maintenance plan shows each VM's move or blocker; start puts an empty host into Maintenance; cancel returns it to Up", async () => {
  const db = database.db;
  const host = await db.host.create({ data: { name: "host-a", uri: "test:///default", state: "Up", cpus: 8, memoryMiB: 8192 } });
  const owner = await db.user.create({ data: { username: "dev", source: "Local" } });
  const template = await db.template.create({ data: { name: "tiny", state: "Ready" } });
  const offering = await db.serviceOffering.create({ data: { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 } });
  const vm = await db.vm.create({ data: { name: "broken", liveName: "broken", ownerId: owner.id, hostId: host.id, templateId: template.id, offeringId: offering.id, state: "Error", vcpus: 1, memoryMiB: 512 } });

  const plan = await carve("host", "maintenance", "plan", "host-a");
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain("0 of 1 VMs on host-a can leave it; 1 cannot (broken)");
  expect(plan.stdout).toMatch(/broken\s+Error\s+blocked\s+-\s+-\s+it is Error: only running VMs \(live migration\) and stopped VMs \(cold move\) can leave/);
  expect(JSON.parse((await carve("--json", "host", "maintenance", "plan", "host-a")).stdout)).toMatchObject({ host: { name: "host-a" }, blockers: [{ vm: "broken" }] });
  expect(await db.host.findUniqueOrThrow({ where: { id: host.id }, select: { state: true } })).toEqual({ state: "Up" });

  const refused = await carve("vm", "migrate", "broken");
  expect(refused).toMatchObject({ code: 1, stderr: "error: Cannot live-migrate VM broken: it is Error, and only a running VM live-migrates. A stopped VM moves cold ('carve vm migrate broken --host HOST'); start or stop it first.\n" });

  await db.vm.update({ where: { id: vm.id }, data: { state: "Destroyed", liveName: null, hostId: null } });
  const started = await carve("host", "maintenance", "start", "host-a");
  expect(started.code).toBe(0);
  expect(started.stdout).toContain("host-a has no VMs: it can go into maintenance at once.");
  expect(started.stdout).toMatch(/host\.maintenance Succeeded: host-a is in Maintenance/);
  expect((await carve("host", "list")).stdout).toMatch(/host-a\s+Maintenance/);

  expect(await carve("host", "maintenance", "cancel", "host-a")).toMatchObject({ code: 0, stdout: "host host-a is Up\n" });
  expect(await carve("host", "maintenance", "cancel", "host-a")).toMatchObject({ code: 1, stderr: "error: Host host-a is Up, not in maintenance: there is nothing to cancel.\n" });
});
