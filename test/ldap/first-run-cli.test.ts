// Acceptance 6: the first-run token works once; `carve admin reset-password` works; no default
// password exists anywhere. Drives the `carve` command tree, passwords on stdin (the process itself
// reading a piped password: apps/cli/src/carve-process.integration.test.ts).
import { authenticate, authenticateApiKey, ensureSetupToken, withIdentity, type TIdentityDeps } from "@carve/core";
import { FakeJobQueues } from "@carve/core/testing";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "../../apps/cli/src/testing/carve-in-process.ts";

let database: TestDatabase;
let deps: TIdentityDeps;

beforeAll(async () => {
  database = await createTestDatabase();
  deps = withIdentity({ db: database.db, queues: new FakeJobQueues(), log: pino({ level: "silent" }), now: () => new Date() }, { failureFloorMs: 0 });
});
afterAll(async () => {
  await database.drop();
});

/** Runs `carve` (in process: carve-in-process.ts) against the test database with `stdin` piped in. */
const carve = (args: string[], input = "") =>
  carveInProcess({ databaseUrl: database.url, queuePrefix: `ldap-cli-${process.pid}`, input, settings: { CARVE_SECRET_KEY: "11".repeat(32) } }, ...args);

const signIn = (username: string, password: string) =>
  authenticate(deps, { username, password }).then(
    (r) => r.actor.username,
    (e: { code: string }) => e.code,
  );

describe("first run", () => {
  it("has no account anyone can sign in to, and no default credentials", async () => {
    expect(await database.db.user.count({ where: { passwordHash: { not: null } } })).toBe(0);
    for (const [u, p] of [["admin", "admin"], ["admin", "password"], ["root", "root"], ["carve", "carve"], ["operator", "operator"], ["administrator", "changeme"]]) {
      expect(await signIn(u ?? "", p ?? "")).toBe("INVALID_CREDENTIALS");
    }
  });

  it("creates the first admin with the printed token once, via the CLI with the password on stdin", async () => {
    const status = await ensureSetupToken(deps);
    if (status.status !== "created") throw new Error(`expected a token, got ${status.status}`);
    const setup = await carve(["admin", "setup", "--token", status.token, "--username", "root-admin", "--password-stdin"], "first admin password\n");
    expect(setup).toMatchObject({ code: 0, stderr: "" });
    expect(setup.stdout).toContain("administrator root-admin created");
    expect(await signIn("root-admin", "first admin password")).toBe("root-admin");

    const again = await carve(["admin", "setup", "--token", status.token, "--username", "second-admin", "--password-stdin"], "another admin password\n");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("This setup token is unknown, already used or expired");
    expect(await ensureSetupToken(deps)).toEqual({ status: "not-needed" });
    const newToken = await carve(["admin", "setup-token"]);
    expect(newToken.code).toBe(1);
    expect(newToken.stderr).toContain("already exists");
  });

  it("never takes a password on the command line", async () => {
    const result = await carve(["admin", "setup", "--token", "x", "--username", "u", "--password", "on-the-command-line"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown option '--password'|required option '--password-stdin'/);
  });

  it("resets a local password from stdin; the old one stops working", async () => {
    const reset = await carve(["admin", "reset-password", "root-admin"], "a second admin password\n");
    expect(reset).toMatchObject({ code: 0 });
    expect(reset.stdout).toContain("password of root-admin reset");
    expect(await signIn("root-admin", "first admin password")).toBe("INVALID_CREDENTIALS");
    expect(await signIn("root-admin", "a second admin password")).toBe("root-admin");
    const short = await carve(["admin", "reset-password", "root-admin"], "short\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("password: must be at least 12 characters");
  });

  it("creates a local service account and an API key shown once, usable for writes, never listed again", async () => {
    expect((await carve(["user", "create", "ci-bot", "--password-stdin"], "ci bot long password\n")).code).toBe(0);
    const created = await carve(["--json", "apikey", "create", "pipeline", "--user", "ci-bot", "--scope", "write"]);
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    expect((await authenticateApiKey(deps, { key, need: "Write" })).username).toBe("ci-bot");
    const listed = await carve(["--json", "apikey", "list", "--user", "ci-bot"]);
    expect(listed.stdout).not.toContain(key.slice(-20));
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: "pipeline", scope: "Write" }]);
  });
});
