import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-vmig-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve volume migrate explains its refusals; carve settings storage sets the bandwidth cap", async () => {
  expect(await carve("settings", "storage", "--migration-bandwidth", "50")).toMatchObject({ code: 0, stdout: "storage: migration bandwidth 50 MiB/s\n" });
  expect(JSON.parse((await carve("--json", "settings", "storage", "--migration-bandwidth", "0")).stdout)).toEqual({ migrationBandwidthMiBps: 0 });
  expect(await carve("volume", "migrate", "nope", "--pool", "p2")).toMatchObject({ code: 1, stderr: "error: No volume 'nope' among the volumes you can manage. List them with 'carve volume list'.\n" });

  const owner = await database.db.user.create({ data: { username: "dev", source: "Local", role: "User" } });
  const pools = [];
  for (const n of [1, 2]) {
    const host = await database.db.host.create({ data: { name: `h${n}`, uri: "test:///default", state: "Up" } });
    pools.push(
      await database.db.storagePool.create({
        data: { name: `p${n}`, libvirtName: "default", path: `/p${n}`, hostId: host.id, hosts: { create: { hostId: host.id } }, capacityBytes: 100n * 1024n ** 3n, capacityReportedAt: new Date() },
      }),
    );
  }
  await database.db.volume.create({ data: { name: "bigdata", kind: "Data", ownerId: owner.id, poolId: pools[0]?.id ?? "", libvirtName: "carve-vol-x", sizeGiB: 1, state: "Ready" } });
  const refused = await carve("volume", "migrate", "bigdata", "--pool", "p2");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("Host h2 cannot receive volumes: its agent does not advertise a storage-migration receiver. Set CARVE_AGENT_MIGRATION_LISTEN");
  expect(await carve("volume", "migrate-cancel", "bigdata")).toMatchObject({ code: 1, stderr: "error: Volume bigdata is not being migrated (it is Ready); there is nothing to cancel.\n" });
  expect(await database.db.job.count()).toBe(0);
});
