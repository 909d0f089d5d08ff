// Issue 17: `carve sg …`, `carve vm open|groups` and `carve settings network` after `carve login
// URL` go through /api/v1 as the key's user, print what the local CLI prints, and are audited via api.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiKey, createVm, type TActor } from "@carve/core";
import { seedInfra } from "@carve/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "../../apps/cli/src/testing/carve-in-process.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
let key = "";
const machine = mkdtempSync(join(tmpdir(), "carve-remote-sg-"));
const carve = (args: string[], input?: string) => carveInProcess({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix, configHome: machine, ...(input === undefined ? {} : { input }) }, ...args);

beforeAll(async () => {
  stack = await new Stack().init();
  await createUser(stack.core, "ops", "Admin");
  const bob: TActor = await createUser(stack.core, "bob", "User");
  await seedInfra(stack.core, { hosts: 1 });
  await createVm(stack.core, bob, { name: "web-1", template: "tiny", offering: "small" });
  key = (await createApiKey(stack.core, bob, { name: "laptop", scope: "Write" })).key;
  portal = await startStackPortal(stack, randomBytes(32));
}, 600_000);

afterAll(async () => {
  await portal?.stop();
  await stack?.stop();
});

describe("security groups through /api/v1", () => {
  it("bob makes a group with a rule, sees it with its id, opens a port of his VM; admin settings are refused", async () => {
    expect(await carve(["login", portal.url], `${key}\n`)).toMatchObject({ code: 0 });
    expect((await carve(["sg", "create", "web"])).code).toBe(0);
    expect((await carve(["sg", "rule", "add", "web", "--protocol", "tcp", "--port", "8080-8090"])).stdout).toMatch(/^web: tcp 8080-8090 from company allowed \(rule [0-9a-f-]{36}\)\n$/);
    const bad = await carve(["--json", "sg", "rule", "add", "web", "--protocol", "tcp", "--port", "70000"]);
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "portFrom", message: "must be between 1 and 65535" }] } });
    expect((await carve(["sg", "show", "web"])).stdout.split("\n")[2]).toMatch(/^[0-9a-f-]{36}\s+tcp\s+8080-8090\s+company\s+-$/);
    expect((await carve(["vm", "open", "web-1", "22", "--source", "10.9.0.0/16"])).stdout).toMatch(/^web-1: tcp 22 is open from 10\.9\.0\.0\/16 \(security group vm-web-1, rule [0-9a-f-]{36}\)\n$/);
    expect((await carve(["vm", "groups", "web-1", "--set", "default,web"])).stdout).toMatch(/^web-1's security groups are now default, web/);
    expect(JSON.parse((await carve(["--json", "sg", "list"])).stdout).map((g: { name: string }) => g.name)).toEqual(["default", "vm-web-1", "web"]);
    expect(JSON.parse((await carve(["--json", "settings", "network", "--company-cidr", "10.0.0.0/8"])).stderr)).toMatchObject({ error: { code: "FORBIDDEN" } });
    const audit = await stack.core.db.auditEntry.findMany({ where: { action: { in: ["security-group.rule-add", "vm.open-port"] } }, orderBy: { id: "asc" }, select: { action: true, actorName: true, via: true, outcome: true } });
    expect(audit).toEqual([
      { action: "security-group.rule-add", actorName: "bob", via: "api", outcome: "ok" },
      { action: "security-group.rule-add", actorName: "bob", via: "api", outcome: "refused" },
      { action: "vm.open-port", actorName: "bob", via: "api", outcome: "ok" },
    ]);
  }, 300_000);
});
