import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;

const carve = (...args: string[]) =>
  carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-console-${process.pid}`, settings: { CARVE_PORTAL_URL: "https://carve.example.com" } }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve vm console prints a one-time link to the portal's console page, and refuses a stopped VM saying what to do", async () => {
  const db = database.db;
  const host = await db.host.create({ data: { name: "host-a", uri: "test:///default", state: "Up", cpus: 8, memoryMiB: 8192 } });
  const owner = await db.user.create({ data: { username: "dev", source: "Local" } });
  const template = await db.template.create({ data: { name: "debian", state: "Ready" } });
  const offering = await db.serviceOffering.create({ data: { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 } });
  const vm = { ownerId: owner.id, hostId: host.id, templateId: template.id, offeringId: offering.id, vcpus: 1, memoryMiB: 512 };
  const web = await db.vm.create({ data: { ...vm, name: "web-1", liveName: "web-1", state: "Running" } });
  await db.vm.create({ data: { ...vm, name: "db-1", liveName: "db-1", state: "Stopped" } });

  const printed = await carve("vm", "console", "web-1");
  expect(printed.code).toBe(0);
  expect(printed.stdout).toMatch(new RegExp(`^console of web-1: open this link within 60 s \\(it works once\\):\\n  https://carve\\.example\\.com/vms/${web.id}/console\\?kind=vnc#token=[A-Za-z0-9_-]{43}\\n$`));
  expect(await db.consoleSession.count({ where: { vmId: web.id, clientAddress: null } })).toBe(1);

  const stopped = await carve("vm", "console", "db-1");
  expect(stopped.code).not.toBe(0);
  expect(stopped.stderr).toContain("VM db-1 is Stopped: start it to use its console.");
});
