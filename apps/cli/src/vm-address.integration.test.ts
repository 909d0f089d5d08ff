import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-address-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve vm list shows each VM's address, vm show every address and the connect line, which template update's login user changes", async () => {
  const db = database.db;
  const host = await db.host.create({ data: { name: "host-a", uri: "test:///default", state: "Up", cpus: 8, memoryMiB: 8192 } });
  const owner = await db.user.create({ data: { username: "dev", source: "Local" } });
  const template = await db.template.create({ data: { name: "debian", state: "Ready", loginUser: "debian" } });
  const offering = await db.serviceOffering.create({ data: { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 } });
  const network = await db.network.create({ data: { name: "dev-lan", kind: "Managed", cidr: "10.0.0.0/24", gateway: "10.0.0.1", rangeStart: "10.0.0.10", rangeEnd: "10.0.0.99", dnsDomain: "dev.example.com", hosts: { create: { hostId: host.id } } } });
  const vm = { ownerId: owner.id, hostId: host.id, templateId: template.id, offeringId: offering.id, state: "Running" as const, vcpus: 1, memoryMiB: 512 };
  await db.vm.create({ data: { ...vm, name: "bare", liveName: "bare", createdAt: new Date(Date.now() - 60_000) } });
  await db.vm.create({ data: { ...vm, name: "web-1", liveName: "web-1", ipAddress: "10.0.0.10", nics: { create: { networkId: network.id, mac: "52:54:00:0a:00:0a", ip: "10.0.0.10" } } } });

  const list = (await carve("vm", "list")).stdout.split("\n");
  expect(list[0]).toMatch(/^NAME\s+STATE\s+ADDRESS\s+HOST/);
  expect(list[1]).toMatch(/^web-1\s+Running\s+10\.0\.0\.10\s+host-a\s+debian\s+small\s+dev\s+/);
  expect(list[2]).toMatch(/^bare\s+Running\s+-\s+host-a\s+/);

  const show = await carve("vm", "show", "web-1");
  expect(show.code).toBe(0);
  expect(show.stdout).toContain("connect: ssh debian@web-1.dev.example.com\n");
  expect(show.stdout).toMatch(/\nNETWORK\s+IP\s+DNS NAME\s+MAC\ndev-lan\s+10\.0\.0\.10\s+web-1\.dev\.example\.com\s+52:54:00:0a:00:0a\n/);
  expect((await carve("vm", "show", "bare")).stdout).toContain("connect: - (no network interface)\n");
  expect(JSON.parse((await carve("--json", "vm", "show", "web-1")).stdout)).toMatchObject({
    addresses: [{ network: "dev-lan", mac: "52:54:00:0a:00:0a", ip: "10.0.0.10", hostname: "web-1.dev.example.com" }],
    connect: { user: "debian", host: "web-1.dev.example.com", command: "ssh debian@web-1.dev.example.com" },
  });

  // The template's login user: refused by field when it is no user name; changed, every VM shows it.
  const bad = await carve("--json", "template", "update", "debian", "--login-user", "9 lives");
  expect(bad.code).toBe(1);
  expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "loginUser" }] } });
  expect(await carve("template", "update", "debian", "--login-user", "admin")).toMatchObject({ code: 0, stdout: "template debian updated; its VMs are reached as admin (ssh admin@<address>)\n" });
  expect((await carve("vm", "show", "web-1")).stdout).toContain("connect: ssh admin@web-1.dev.example.com\n");
  expect((await carve("template", "list")).stdout.split("\n")[1]).toMatch(/^debian\s+Ready\s+qcow2\s+-\s+1 GiB\s+admin\s+/);
}, 240_000);
