import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-volumes-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve disk-offering create/list/delete, pool add (netfs) and pool define, volume create/list with their refusals", async () => {
  expect((await carve("disk-offering", "create", "scratch", "--min", "1", "--max", "50", "--scope", "Local")).stdout).toMatch(/^disk offering scratch created \(custom 1–50 GiB, Local; /);
  const both = await carve("--json", "disk-offering", "create", "bad", "--size", "5", "--max", "9");
  expect(both.code).toBe(1);
  expect(JSON.parse(both.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "sizeGiB" }] } });
  expect(JSON.parse((await carve("--json", "disk-offering", "list")).stdout)).toMatchObject([{ name: "scratch", sizeGiB: null, minSizeGiB: 1, maxSizeGiB: 50, scope: "Local" }]);

  await carve("host", "add", "hv1", "--uri", "test:///default");
  const netfs = await carve("--json", "pool", "add", "nas", "--host", "hv1", "--libvirt-name", "nas", "--path", "/mnt/nas", "--scope", "Shared", "--source-host", "nas.example", "--source-path", "/export/vms");
  expect(JSON.parse(netfs.stdout)).toMatchObject({ name: "nas", kind: "Netfs", sourceHost: "nas.example", sourcePath: "/export/vms", jobs: [{ kind: "pool.define", state: "Queued" }] });
  expect((await carve("pool", "define", "nas")).stdout).toMatch(/^pool nas: being defined on 1 host\(s\) \(job\(s\) [0-9a-f-]{36}\)/);

  // No pool has reported its capacity (no agent runs here): the refusal says so, per pool.
  const refused = await carve("volume", "create", "data", "--disk-offering", "scratch", "--size", "10");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("No storage pool can take a 10 GiB scratch volume: nas has not reported its capacity yet");
  expect(JSON.parse((await carve("--json", "volume", "list")).stdout)).toEqual({ items: [], nextCursor: null });
  expect((await carve("disk-offering", "delete", "scratch")).stdout).toBe("disk offering scratch deleted\n");
}, 240_000);
