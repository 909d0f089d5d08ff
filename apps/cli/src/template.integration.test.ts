import { createTestDatabase, type TestDatabase } from "@carve/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { carveInProcess } from "./testing/carve-in-process.ts";

let database: TestDatabase;

const carve = (...args: string[]) => carveInProcess({ databaseUrl: database.url, queuePrefix: `cli-templates-${process.pid}` }, ...args);

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

it("carve settings templates and template register/list/delete: refusals name the setting, waiting templates are listed, any can be deleted", async () => {
  const offList = await carve("template", "register", "debian", "--url", "https://cloud.debian.org/debian.qcow2");
  expect(offList.code).toBe(1);
  expect(offList.stderr).toContain("templates.allowedHosts");
  expect(offList.stderr).toContain("carve settings templates --allow-host cloud.debian.org");

  const set = await carve("--json", "settings", "templates", "--allow-host", "cloud.debian.org", "--allow-host", "mirror.example.com:8080", "--allow-private", "--max-bytes", "1048576");
  expect(JSON.parse(set.stdout)).toEqual({ allowedHosts: ["cloud.debian.org", "mirror.example.com:8080"], allowPrivateAddresses: true, maxBytes: 1048576 });
  const narrowed = await carve("--json", "settings", "templates", "--disallow-host", "mirror.example.com:8080", "--no-allow-private");
  expect(JSON.parse(narrowed.stdout)).toMatchObject({ allowedHosts: ["cloud.debian.org"], allowPrivateAddresses: false });

  const ftp = await carve("--json", "template", "register", "debian", "--url", "ftp://cloud.debian.org/debian.qcow2");
  expect(ftp.code).toBe(1);
  expect(JSON.parse(ftp.stderr)).toMatchObject({ error: { code: "TEMPLATE_SOURCE_REFUSED", fields: [{ field: "url" }] } });

  const registered = await carve("template", "register", "debian", "--url", "https://cloud.debian.org/debian.qcow2", "--cloud-init", "--password-reset");
  expect(registered.stdout).toMatch(/^template debian registered \(.*\), Downloading/);
  // No controller runs here: it stays Downloading, and is listed, not hidden.
  expect((await carve("template", "list")).stdout.split("\n")[1]).toMatch(/^debian\s+Downloading 0 %\s+-\s/);
  expect(JSON.parse((await carve("--json", "template", "list")).stdout)).toMatchObject([
    { name: "debian", state: "Downloading", progress: 0, supportsCloudInit: true, supportsPasswordReset: true, sourceUrl: "https://cloud.debian.org/debian.qcow2", copies: [] },
  ]);

  expect(await carve("template", "delete", "debian")).toMatchObject({ code: 0, stdout: "template debian deleted\n" });
  expect(JSON.parse((await carve("--json", "template", "list")).stdout)).toEqual([]);
  // Each run of the real binary loads all of Carve (seconds on a busy machine).
}, 240_000);
