import { createVm } from "@carve/core";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "@carve/core/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let core: TTestCore;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: core.databaseUrl, queuePrefix: `cli-networks-${process.pid}` }, ...args);

/** A refused `carve --json …`: exit 1, and the error's code and fields. */
async function refused(...args: string[]): Promise<{ code: string; message: string; fields?: { field: string; message: string }[] }> {
  const run = await carve("--json", ...args);
  expect(run.code, run.stdout).toBe(1);
  return (JSON.parse(run.stderr) as { error: { code: string; message: string; fields?: { field: string; message: string }[] } }).error;
}

beforeAll(async () => {
  core = await createTestCore();
  await seedInfra(core, { hosts: 2 });
});
afterAll(async () => {
  await core.drop();
});

it("carve network create|list|show|update|delete and offering create --network, with bad input refused naming the field and nothing created", async () => {
  const dev = ["network", "create", "dev-lan", "--kind", "managed", "--cidr", "10.0.0.0/24", "--gateway", "10.0.0.1", "--range", "10.0.0.10-10.0.0.19", "--dns-domain", "dev.example.com", "--host", "host-1", "--host", "host-2", "--default"];
  const created = await carve(...dev);
  expect(created, created.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^network dev-lan created \(Managed, 10\.0\.0\.0\/24, 10 addresses\) on host-1, host-2; it is the default network \([0-9a-f-]{36}\)\n$/) });

  // Bad input: each refusal names the field and its fix; nothing is created.
  const base = ["network", "create", "lab", "--kind", "managed", "--host", "host-1"];
  const overlap = await refused(...base, "--cidr", "10.0.0.0/16", "--gateway", "10.0.200.1", "--range", "10.0.200.10-10.0.200.20");
  expect(overlap).toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "cidr", message: expect.stringContaining("overlaps network dev-lan (10.0.0.0/24)") }] });
  const outside = await refused(...base, "--cidr", "10.9.0.0/24", "--gateway", "10.9.0.1", "--range", "10.9.0.10-10.9.1.20");
  expect(outside.fields).toEqual([{ field: "rangeEnd", message: "10.9.1.20 is outside 10.9.0.0/24: choose an address between 10.9.0.1 and 10.9.0.254" }]);
  const gateway = await refused(...base, "--cidr", "10.9.0.0/24", "--gateway", "10.9.0.50", "--range", "10.9.0.10-10.9.0.99");
  expect(gateway.fields).toEqual([{ field: "gateway", message: expect.stringContaining("10.9.0.50 is inside the range 10.9.0.10–10.9.0.99") }]);
  const range = await refused(...base, "--cidr", "10.9.0.0/24", "--gateway", "10.9.0.1", "--range", "10.9.0.10");
  expect(range.fields).toEqual([{ field: "range", message: expect.stringContaining("must be START-END") }]);
  const plain = await carve(...base, "--cidr", "10.9.0.0/24", "--gateway", "10.9.0.50", "--range", "10.9.0.10-10.9.0.99");
  expect(plain).toMatchObject({ code: 1, stdout: "", stderr: expect.stringMatching(/^error: Invalid input\. gateway: 10\.9\.0\.50 is inside the range/) });
  expect((await core.db.network.findMany()).map((n) => n.name)).toEqual(["dev-lan"]);

  // A bridge network on the LAN, without a range (the LAN's DHCP hands out addresses), and an offering on it.
  expect((await carve("network", "create", "lan", "--kind", "bridge", "--cidr", "192.168.1.0/24", "--bridge", "br0", "--host", "host-1")).code).toBe(0);
  const offering = await carve("offering", "create", "on-lan", "--vcpus", "1", "--memory", "512", "--network", "lan");
  expect(offering.stdout).toMatch(/^offering on-lan created \([0-9a-f-]{36}\) on network lan\n$/);
  expect((await carve("offering", "list")).stdout).toMatch(/^on-lan\s+1\s+512\s+10 GiB\s+lan\s+/m);
  expect((await refused("offering", "create", "nowhere", "--vcpus", "1", "--memory", "512", "--network", "no-such")).code).toBe("NETWORK_NOT_FOUND");

  // Two VMs on the default network get its first addresses.
  const alice = await createTestUser(core, "alice");
  for (const name of ["web-1", "web-2"]) await createVm(core, alice, { name, template: "tiny", offering: "small" });

  const table = (await carve("network", "list")).stdout.split("\n");
  expect(table[0]).toMatch(/^NAME\s+KIND\s+CIDR\s+RANGE\s+USED\s+FREE\s+HOSTS\s+DEFAULT$/);
  expect(table[1]).toMatch(/^dev-lan\s+Managed\s+10\.0\.0\.0\/24\s+10\.0\.0\.10-10\.0\.0\.19\s+2\s+8\s+host-1,host-2\s+yes$/);
  expect(table[2]).toMatch(/^lan\s+Bridge\s+192\.168\.1\.0\/24\s+-\s+0\s+-\s+host-1$/);
  expect(JSON.parse((await carve("--json", "network", "list")).stdout)).toMatchObject([
    { name: "dev-lan", kind: "Managed", mode: "nat", libvirtName: "dev-lan", rangeSize: 10, nics: 2, freeAddresses: 8, isDefault: true },
    { name: "lan", kind: "Bridge", bridge: "br0", rangeSize: 0, freeAddresses: null, isDefault: false },
  ]);

  const shown = (await carve("network", "show", "dev-lan")).stdout;
  expect(shown).toContain("addresses:    2 used, 8 free of 10\n");
  expect(shown).toContain("dns domain:   dev.example.com\n");
  expect(shown).toMatch(/^web-1\s+alice\s+Creating\s+host-\d\s+10\.0\.0\.10\s+52:54:00/m);
  expect(shown).toMatch(/^web-2\s+alice\s+Creating\s+host-\d\s+10\.0\.0\.11\s+52:54:00/m);
  expect(JSON.parse((await carve("--json", "network", "show", "dev-lan")).stdout).vms.map((v: { name: string; ip: string }) => [v.name, v.ip])).toEqual([
    ["web-1", "10.0.0.10"],
    ["web-2", "10.0.0.11"],
  ]);

  // A change that would strand the VMs is refused naming them; widening the range is fine.
  const moved = await refused("network", "update", "dev-lan", "--cidr", "10.1.0.0/24", "--gateway", "10.1.0.1", "--range", "10.1.0.10-10.1.0.19");
  expect(moved).toMatchObject({ code: "NETWORK_IN_USE", message: expect.stringContaining("web-1 (alice, 10.0.0.10)") });
  const widened = await carve("network", "update", "dev-lan", "--range", "10.0.0.10-10.0.0.99", "--description", "developer LAN");
  expect(widened).toMatchObject({ code: 0, stdout: "network dev-lan updated: 10.0.0.0/24, range 10.0.0.10-10.0.0.99, on host-1, host-2; it is the default network\n" });
  expect(await core.db.network.findUniqueOrThrow({ where: { name: "dev-lan" } })).toMatchObject({ rangeEnd: "10.0.0.99", description: "developer LAN", cidr: "10.0.0.0/24" });
  expect((await carve("network", "update", "lan", "--no-default", "--dns-domain", "lan.example.com")).code).toBe(0);

  // Delete: refused while VMs or offerings use it, naming them; then gone.
  expect(await refused("network", "delete", "dev-lan")).toMatchObject({ code: "HAS_DEPENDENTS", message: expect.stringContaining("web-1") });
  expect(await refused("network", "delete", "lan")).toMatchObject({ code: "HAS_DEPENDENTS", message: expect.stringContaining("on-lan") });
  expect((await carve("offering", "delete", "on-lan")).code).toBe(0);
  expect(await carve("network", "delete", "lan")).toMatchObject({ code: 0, stdout: "network lan deleted\n" });
  expect((await refused("network", "show", "lan")).code).toBe("NETWORK_NOT_FOUND");
  expect((await core.db.network.findMany()).map((n) => n.name)).toEqual(["dev-lan"]);
}, 240_000);

// networks (issue 17): the retry the Unhealthy messages name
it("carve network define re-sends network.define to one host (or all), making it Pending there; a host without the network is refused naming it", async () => {
  expect((await carve("network", "create", "retry-lan", "--kind", "managed", "--cidr", "10.50.0.0/24", "--gateway", "10.50.0.1", "--range", "10.50.0.10-10.50.0.20", "--host", "host-1", "--host", "host-2")).code).toBe(0);
  const network = await core.db.network.findUniqueOrThrow({ where: { name: "retry-lan" }, select: { id: true } });
  await core.db.networkHost.updateMany({ where: { networkId: network.id }, data: { state: "Unhealthy", stateReason: "dnsmasq is not installed" } });
  const before = await core.db.job.count({ where: { kind: "network.define" } });

  const one = await carve("network", "define", "retry-lan", "--host", "host-2");
  expect(one, one.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^network retry-lan: being defined on 1 host\(s\) \(job\(s\) [0-9a-f-]{36}\)\n$/) });
  const states = await core.db.networkHost.findMany({ where: { networkId: network.id }, select: { state: true, host: { select: { name: true } } }, orderBy: { host: { name: "asc" } } });
  expect(states.map((s) => [s.host.name, s.state])).toEqual([["host-1", "Unhealthy"], ["host-2", "Pending"]]);
  const job = await core.db.job.findFirstOrThrow({ where: { kind: "network.define" }, orderBy: { createdAt: "desc" }, select: { host: { select: { name: true } }, request: true } });
  expect(job).toMatchObject({ host: { name: "host-2" }, request: { networkId: network.id, payload: { kind: "managed", name: "retry-lan", address: "10.50.0.1", prefix: 24 } } });

  const all = JSON.parse((await carve("--json", "network", "define", "retry-lan")).stdout) as { network: { name: string }; jobs: unknown[] };
  expect(all).toMatchObject({ network: { name: "retry-lan" }, jobs: [expect.anything(), expect.anything()] });
  expect(await core.db.job.count({ where: { kind: "network.define" } })).toBe(before + 3);

  const elsewhere = await refused("network", "define", "retry-lan", "--host", "no-such-host");
  expect(elsewhere).toMatchObject({ code: "HOST_NOT_FOUND", message: expect.stringContaining("it is on host-1, host-2"), fields: [{ field: "host" }] });
}, 120_000);
