import { hostname, userInfo } from "node:os";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-audit-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("carve audit", () => {
  it("records every CLI command as the operator via cli with the OS user and host that ran it, refusals with their code, and searches them", async () => {
    expect(await carve("offering", "create", "small", "--vcpus", "1", "--memory", "512", "--disk", "1")).toMatchObject({ code: 0 });
    expect(await carve("offering", "delete", "small")).toMatchObject({ code: 0, stdout: "offering small deleted\n" });
    const refused = await carve("pool", "delete", "nope");
    expect(refused).toMatchObject({ code: 1, stderr: "error: No storage pool 'nope'. See the pools with 'carve pool list'.\n" });

    const rows = await database.db.auditEntry.findMany({ orderBy: { id: "asc" }, select: { action: true, actorName: true, via: true, osUser: true, osHost: true, targetName: true, outcome: true, errorCode: true } });
    const ran = { osUser: userInfo().username, osHost: hostname() };
    expect(rows).toEqual([
      { action: "offering.create", actorName: "operator", via: "cli", ...ran, targetName: "small", outcome: "ok", errorCode: null },
      { action: "offering.delete", actorName: "operator", via: "cli", ...ran, targetName: "small", outcome: "ok", errorCode: null },
      { action: "pool.delete", actorName: "operator", via: "cli", ...ran, targetName: "nope", outcome: "refused", errorCode: "POOL_NOT_FOUND" },
    ]);

    const json = await carve("--json", "audit", "--action", "offering.");
    expect(JSON.parse(json.stdout)).toMatchObject({ items: [{ action: "offering.delete", via: "cli", ...ran }, { action: "offering.create", via: "cli", ...ran }], nextCursor: null });
    const human = await carve("audit", "--outcome", "refused");
    expect(human.stdout.split("\n")[1]).toMatch(new RegExp(`^\\S+Z\\s+operator\\s+cli\\s+${ran.osUser}@${ran.osHost}\\s+pool\\.delete\\s+pool nope\\s+refused POOL_NOT_FOUND$`));
    const bad = await carve("audit", "--since", "yesterday");
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.stderr).toContain("from: must be a date and time");
  });
});
