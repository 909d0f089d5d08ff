import { carveInProcess } from "./testing/carve-in-process.ts";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-test-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("carve CLI", () => {
  it("creates and lists offerings, as a table or as JSON", async () => {
    const created = await carve("offering", "create", "small", "--vcpus", "1", "--memory", "512", "--disk", "1");
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toMatch(/^offering small created \(/);
    const table = await carve("offering", "list");
    expect(table.stdout.split("\n")[1]).toMatch(/^small\s+1\s+512\s+1 GiB/);
    const json = await carve("offering", "list", "--json");
    expect(JSON.parse(json.stdout)).toMatchObject([{ name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 }]);
  });

  it("refuses a bad VM name with exit 1, naming the field and the fix on stderr, creating nothing", async () => {
    const bad = await carve("vm", "create", "Bad<Name>&'\"", "--template", "tiny", "--offering", "small");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("name: must be lowercase letters, digits and hyphens");
    const json = await carve("--json", "vm", "create", "x".repeat(64), "--template", "tiny", "--offering", "small");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "name" }] } });
    expect(await database.db.vm.count()).toBe(0);
  });

  it("names an unknown template and where to find the valid ones", async () => {
    const result = await carve("vm", "create", "web-1", "--template", "nope", "--offering", "small");
    expect(result).toMatchObject({ code: 1, stderr: "error: No template 'nope'. See the available ones with 'carve template list'.\n" });
  });

  it("reads each --data-disk (OFFERING or OFFERING:GiB) and names a size that is not a number by its place", async () => {
    const result = await carve("--json", "vm", "create", "web-1", "--template", "tiny", "--offering", "small", "--data-disk", "scratch:20", "scratch:big");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "dataDisks.1.sizeGiB" }] } });
  });

  it("answers a usage mistake with exit 1 and the missing option", async () => {
    const result = await carve("vm", "create", "web-1");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("required option '--template <template>' not specified");
  });

  it("refuses a host URI that is not a libvirt URI, changing nothing", async () => {
    const result = await carve("host", "add", "h1", "--uri", "qemu:///system; rm -rf /");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("uri: must be a libvirt URI");
    expect(await database.db.host.count()).toBe(0);
  });
});
