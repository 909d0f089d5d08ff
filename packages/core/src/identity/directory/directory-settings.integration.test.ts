import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../../errors/index.ts";
import { createTestCore, createTestUser, type TTestCore } from "../../testing/index.ts";
import { authenticate } from "../authenticate.ts";
import { configureDirectory } from "./configure-directory.ts";
import { createLocalUser } from "../create-local-user.ts";
import { withIdentity } from "../identity-options.ts";
import { operatorActor } from "../operator-actor.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CarveError);
  return error as CarveError;
}

const SETTINGS = { url: "ldaps://ldap.example.org", bindDn: "cn=svc,dc=example,dc=org", userBase: "ou=People,dc=example,dc=org" };

describe("directory settings", () => {
  it("keep the bind password encrypted at rest and never show it", async () => {
    const deps = withIdentity(core, { secretKey: randomBytes(32) });
    const view = await configureDirectory(deps, await operatorActor(deps), { preset: "openldap", settings: SETTINGS, bindPassword: "svc-Sup3r-secret" });
    expect(view).toMatchObject({ configured: true, bindPasswordSet: true, config: { loginAttributes: ["uid"], groups: { mode: "memberOf" } } });
    expect(JSON.stringify(view)).not.toContain("svc-Sup3r-secret");
    const rows = await core.db.setting.findMany();
    expect(JSON.stringify(rows)).not.toContain("svc-Sup3r-secret");
    expect(rows.find((r) => r.key === "identity.directory.bindPassword")?.encrypted).toBe(true);
  });

  it("refuse plain ldap:// unless allowed explicitly, naming the field and the ways out", async () => {
    const deps = withIdentity(core, { secretKey: randomBytes(32) });
    const admin = await operatorActor(deps);
    const error = await refusal(configureDirectory(deps, admin, { settings: { ...SETTINGS, url: "ldap://ldap.example.org" }, bindPassword: "x" }));
    expect(error.fields[0]?.field).toBe("url");
    expect(error.message).toMatch(/ldaps:\/\/.*StartTLS.*allowInsecure/);
    await configureDirectory(deps, admin, { settings: { ...SETTINGS, url: "ldap://ldap.example.org", startTls: true }, bindPassword: "x" });
    await configureDirectory(deps, admin, { settings: { url: "ldap://ldap.example.org", startTls: false, allowInsecure: true } });
  });

  it("are for admins only, and need a secret key to store a password", async () => {
    const alice = await createTestUser(core, "alice");
    expect((await refusal(configureDirectory(core, alice, { settings: SETTINGS }))).code).toBe("FORBIDDEN");
    const error = await refusal(configureDirectory(core, await operatorActor(core), { settings: SETTINGS, bindPassword: "x" }));
    expect(error.message).toContain("CARVE_SECRET_KEY");
  });

  it("name the setting and the fix when the password cannot be decrypted, while local accounts still sign in", async () => {
    const saved = withIdentity(core, { secretKey: randomBytes(32), failureFloorMs: 0 });
    await configureDirectory(saved, await operatorActor(saved), { settings: SETTINGS, bindPassword: "svc" });
    await createLocalUser(saved, await operatorActor(saved), { username: "ops", password: "correct horse battery" });
    const rotated = withIdentity(core, { secretKey: randomBytes(32), failureFloorMs: 0 });
    const error = await refusal(authenticate(rotated, { username: "alice", password: "x" }));
    expect(error.code).toBe("SECRET_UNREADABLE");
    expect(error.message).toContain("identity.directory.bindPassword");
    expect(error.message).toContain("carve directory set --bind-password-stdin");
    expect((await authenticate(rotated, { username: "ops", password: "correct horse battery" })).actor.username).toBe("ops");
  });
});
