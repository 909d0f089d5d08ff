import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;
const configHome = mkdtempSync(join(tmpdir(), "carve-login-test-"));
const credentials = join(configHome, "carve", "credentials.json");

const carve = (args: string[], input?: string) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-login-${process.pid}`, configHome, ...(input === undefined ? {} : { input }) }, ...args);

/** A login as `carve login` leaves it (the server side is test/security/cli-remote.test.ts). */
function storeLogin(mode: number): void {
  mkdirSync(join(configHome, "carve"), { recursive: true });
  writeFileSync(credentials, JSON.stringify({ url: "https://carve.example.invalid", key: "carve_test" }), { mode });
  chmodSync(credentials, mode);
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("carve login and remote mode", () => {
  it("refuses a URL that would send the key in clear text over a network, storing nothing", async () => {
    const plain = await carve(["login", "http://carve.example.com"], "carve_key");
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("url: must be https:// (plain http only to this machine)");
    const creds = await carve(["login", "https://me:pw@carve.example.com"], "carve_key");
    expect(creds.stderr).toContain("url: must not carry a user, password, query or fragment");
    const prefixed = await carve(["login", "https://carve.example.com/carve"], "carve_key");
    expect(prefixed.stderr).toContain("url: must be the server's address only");
    expect(() => statSync(credentials)).toThrow(/ENOENT/);
  });

  it("in remote mode refuses a local-only command by name instead of using this machine's database", async () => {
    storeLogin(0o600);
    // First-run setup is the management server's alone, by design: nobody can sign in yet.
    const result = await carve(["admin", "setup-token"]);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe("error: 'carve admin setup-token' works only on the management server, and this CLI is logged in to https://carve.example.invalid. Run it on the management server (or use the portal); 'carve logout' returns this CLI to local mode.\n");
    expect(await database.db.oneTimeToken.count()).toBe(0);
    expect(await database.db.auditEntry.count()).toBe(0);
  });

  it("refuses a credentials file other users can read, and logout removes it", async () => {
    storeLogin(0o644);
    const result = await carve(["vm", "list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${credentials} can be read or changed by other users of this machine`);
    expect(await carve(["logout"])).toMatchObject({ code: 0, stdout: `logged out: ${credentials} removed (the API key itself stays valid until you revoke it in the portal)\n` });
    expect(() => statSync(credentials)).toThrow(/ENOENT/);
    expect(await carve(["logout"])).toMatchObject({ code: 0, stdout: "not logged in\n" });
  });
});
