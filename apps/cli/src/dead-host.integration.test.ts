import { runCarve } from "./testing/run-carve.ts";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

let database: TestDatabase;

const carve = (...args: string[]) => runCarve({ databaseUrl: database.url, queuePrefix: `cli-dead-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve host declare-dead needs the name as confirmation and the fencing command's success; its Lost VM is re-created; then the host goes", async () => {
  const db = database.db;
  const silentSince = new Date(Date.now() - 3600_000);
  const dead = await db.host.create({ data: { name: "host-a", uri: "test:///default", state: "Disconnected", cpus: 8, memoryMiB: 8192, lastHeartbeatAt: silentSince } });
  const spare = await db.host.create({ data: { name: "host-b", uri: "test:///default", state: "Up", cpus: 8, memoryMiB: 8192 } });
  const template = await db.template.create({ data: { name: "tiny", state: "Ready", format: "qcow2", minDiskGiB: 1 } });
  for (const h of [dead, spare]) {
    const pool = await db.storagePool.create({ data: { name: `${h.name}-local`, libvirtName: "default", path: "/p", scope: "Local", hostId: h.id, hosts: { create: { hostId: h.id } }, capacityBytes: 1000n * 1024n ** 3n, capacityReportedAt: new Date() } });
    await db.templateCopy.create({ data: { templateId: template.id, poolId: pool.id, volumeName: "tiny.qcow2" } });
  }
  const owner = await db.user.create({ data: { username: "dev", source: "Local" } });
  const offering = await db.serviceOffering.create({ data: { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 } });
  const vm = await db.vm.create({ data: { name: "db", liveName: "db", ownerId: owner.id, hostId: dead.id, templateId: template.id, offeringId: offering.id, state: "Unknown", vcpus: 1, memoryMiB: 512 } });
  const pool = await db.storagePool.findFirstOrThrow({ where: { name: "host-a-local" } });
  await db.volume.create({ data: { name: "db-root", kind: "Root", vmId: vm.id, ownerId: owner.id, poolId: pool.id, libvirtName: "db-root.qcow2", sizeGiB: 1, state: "Attached" } });

  expect(await carve("host", "declare-dead", "host-a", "--confirm", "host-b")).toMatchObject({
    code: 1,
    stderr: "error: Declaring host host-a dead needs its name typed again as the confirmation that it is powered off for good; nothing was changed.\n",
  });
  expect(await carve("settings", "fencing", "--command", '["/bin/false"]', "--timeout", "5")).toMatchObject({ code: 0, stdout: 'fencing command: ["/bin/false"] + host name + address, timeout 5 s\n' });
  const fenceFailed = await carve("host", "declare-dead", "host-a", "--confirm", "host-a");
  expect(fenceFailed.code).toBe(1);
  expect(fenceFailed.stderr).toContain("The fencing command for host host-a (/bin/false) exited with 1. Nothing was changed");
  expect((await db.host.findUniqueOrThrow({ where: { id: dead.id } })).state).toBe("Disconnected");
  expect((await carve("settings", "fencing", "--none")).stdout).toBe("no fencing command: declaring a host dead relies on the admin's confirmation alone\n");

  const declared = await carve("host", "declare-dead", "host-a", "--confirm", "host-a");
  expect(declared.code).toBe(0);
  expect(declared.stdout).toMatch(/db\s+dev\s+LOST\s+-\s+host host-a was declared dead by \S+, and db's root disk \(pool host-a-local\)/);
  expect(declared.stdout).toContain("then 'carve host remove host-a'.");
  expect((await carve("vm", "list")).stdout).toMatch(/db\s.*Lost/);

  const recreated = await carve("vm", "recreate", "db");
  expect(recreated.code).toBe(0);
  expect(recreated.stdout).toMatch(/^VM db re-created \(/);
  expect(await db.vm.findFirstOrThrow({ where: { liveName: "db" }, select: { state: true, hostId: true } })).toEqual({ state: "Creating", hostId: spare.id });
  expect(await carve("host", "remove", "host-a")).toMatchObject({ code: 0 });
});
