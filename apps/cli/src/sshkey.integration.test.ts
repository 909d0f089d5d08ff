import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICyFATPv1+3bazrTlNUFlORc3c5smPOocK6U7Tpr7Jed dev@laptop";

let database: TestDatabase;
let dir: string;
const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-sshkey-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), "carve-cli-sshkey-"));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("carve sshkey", () => {
  it("adds a key from --key or --file, lists it with its fingerprint, and removes it", async () => {
    expect(await carve("sshkey", "add", "laptop", "--key", KEY)).toMatchObject({
      code: 0,
      stdout: "SSH key laptop added (SHA256:tGaGtZfx4RP19sL0MHfFe2wWuJyFkvlEEPfzkFZwi9I)\n",
    });
    const file = join(dir, "id_ed25519.pub");
    writeFileSync(file, `${KEY}\n`);
    const duplicate = await carve("sshkey", "add", "desktop", "--file", file);
    expect(duplicate).toMatchObject({ code: 1, stderr: "error: This key (SHA256:tGaGtZfx4RP19sL0MHfFe2wWuJyFkvlEEPfzkFZwi9I) is already stored as 'laptop'.\n" });
    const list = await carve("sshkey", "list");
    expect(list.stdout.split("\n")[1]).toMatch(/^laptop\s+ssh-ed25519\s+SHA256:tGaGtZfx4RP19sL0MHfFe2wWuJyFkvlEEPfzkFZwi9I\s/);
    expect(await carve("sshkey", "remove", "laptop")).toMatchObject({ code: 0 });
    expect(JSON.parse((await carve("--json", "sshkey", "list")).stdout)).toEqual([]);
  });

  it("refuses a bad key naming the field, and a missing --key/--file", async () => {
    const bad = await carve("--json", "sshkey", "add", "bad", "--key", "ssh-rsa AAAAB3NzaC1yc2E");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "publicKey" }] } });
    const neither = await carve("sshkey", "add", "none");
    expect(neither).toMatchObject({ code: 1 });
    expect(neither.stderr).toContain("exactly one of --key");
  });
});
