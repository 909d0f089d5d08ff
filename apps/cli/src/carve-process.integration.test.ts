// The `carve` command as a process of its own, the few things only a process shows: it starts from
// its sources, takes its settings from the environment, reads a pipe to its end, and exits with the
// code a shell sees. Every other CLI test runs the same command tree in process
// (testing/carve-in-process.ts); the attached console on a terminal is test/console/front-doors.test.ts.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCarve, type TCarveRun } from "./testing/run-carve.ts";

let database: TestDatabase;
const run = (): TCarveRun => ({ databaseUrl: database.url, queuePrefix: `cli-process-${process.pid}`, settings: { CARVE_SECRET_KEY: "22".repeat(32) } });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("carve as a process", () => {
  it("locally: acts on the database named by DATABASE_URL and exits 0", async () => {
    expect(await runCarve(run(), "offering", "create", "small", "--vcpus", "1", "--memory", "512", "--disk", "1")).toMatchObject({ code: 0, stderr: "" });
    const listed = await runCarve(run(), "--json", "offering", "list");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: "small", vcpus: 1, memoryMiB: 512 }]);
  });

  it("exits 1 on a usage mistake and on a refused command, the message on stderr and nothing on stdout", async () => {
    const usage = await runCarve(run(), "vm", "create", "web-1");
    expect(usage).toMatchObject({ code: 1, stdout: "" });
    expect(usage.stderr).toContain("required option '--template <template>' not specified");
    expect(await runCarve(run(), "vm", "create", "web-1", "--template", "nope", "--offering", "small")).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "error: No template 'nope'. See the available ones with 'carve template list'.\n",
    });
  });

  it("reads a password piped to its standard input to the end: the first administrator can be set up by a script", async () => {
    const token = JSON.parse((await runCarve(run(), "--json", "admin", "setup-token")).stdout) as { token: string };
    const setup = await runCarve({ ...run(), input: "piped password 1\n" }, "admin", "setup", "--token", token.token, "--username", "ops", "--password-stdin");
    expect(setup).toMatchObject({ code: 0, stderr: "" });
    expect(setup.stdout).toContain("administrator ops created");
    expect(await database.db.user.count({ where: { username: "ops", role: "Admin", passwordHash: { not: null } } })).toBe(1);
  });

  it("in remote mode (credentials in XDG_CONFIG_HOME) refuses a local-only command by name, exit 1", async () => {
    const configHome = mkdtempSync(join(tmpdir(), "carve-process-"));
    mkdirSync(join(configHome, "carve"));
    writeFileSync(join(configHome, "carve", "credentials.json"), JSON.stringify({ url: "https://carve.example.invalid", key: "carve_test" }), { mode: 0o600 });
    const refused = await runCarve({ ...run(), configHome }, "admin", "setup-token");
    expect(refused).toMatchObject({ code: 1, stdout: "" });
    expect(refused.stderr).toContain("'carve admin setup-token' works only on the management server, and this CLI is logged in to https://carve.example.invalid");
  });
});
