import { carveInProcess } from "./testing/carve-in-process.ts";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-drift-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve drift list shows what reconciliation found with its reason; ignore takes it off; a foreign domain is never destroyed", async () => {
  expect((await carve("drift", "list")).stdout).toBe("no drift: every domain on every host is a Carve VM's\n");
  const host = await database.db.host.create({ data: { name: "host-a", uri: "test:///default", state: "Up" } });
  const now = new Date();
  const item = await database.db.driftItem.create({
    data: { hostId: host.id, domainName: "windows-test", reportedState: "running", note: "windows-test on host-a was not created by Carve.", firstSeenAt: now, lastSeenAt: now },
  });
  const table = await carve("drift", "list");
  expect(table.code).toBe(0);
  expect(table.stdout.split("\n")[1]).toMatch(new RegExp(`^${item.id}\\s+host-a\\s+Domain\\s+windows-test\\s+running\\s+Open`));
  expect(table.stdout).toContain("windows-test on host-a was not created by Carve.");
  expect(JSON.parse((await carve("--json", "drift", "list")).stdout)).toMatchObject([{ id: item.id, domainName: "windows-test", state: "Open" }]);

  const refused = await carve("drift", "destroy", item.id);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("Carve will not destroy it. Remove it on the host ('virsh destroy windows-test; virsh undefine windows-test')");
  expect(await database.db.job.count()).toBe(0);

  expect(await carve("drift", "ignore", item.id)).toMatchObject({ code: 0, stdout: "drift windows-test ignored\n" });
  expect((await carve("drift", "list")).stdout).toBe("no drift: every domain on every host is a Carve VM's\n");
  expect((await carve("drift", "list", "--all")).stdout).toMatch(/windows-test\s+running\s+Ignored/);
  expect(await carve("drift", "ignore", "nope")).toMatchObject({ code: 1, stderr: "error: No drift item nope. See the list with 'carve drift list --all'.\n" });
});
