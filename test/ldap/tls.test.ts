// Acceptance 2: LDAPS and StartTLS with a CA the test generated work; a wrong CA fails naming TLS;
// plain ldap:// is refused unless explicitly allowed.
import { authenticate, checkDirectory, configureDirectory, operatorActor, type CarveError } from "@carve/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { identityCore, openLdapSettings, startDirectory, useDirectory, type TDirectoryFixture, type TIdentityCore } from "../lib/ldap/fixture.ts";
import { OPENLDAP_USERS } from "../lib/ldap/layouts.ts";

let dir: TDirectoryFixture;
let id: TIdentityCore;
beforeAll(async () => {
  dir = await startDirectory();
});
afterAll(async () => {
  await dir.stop();
});
beforeEach(async () => {
  id = await identityCore();
});
afterEach(async () => {
  await id.drop();
});

const alice = () => ({ username: "alice", password: OPENLDAP_USERS.alice.password });

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toMatchObject({ name: "CarveError" });
  return error as CarveError;
}

describe("directory TLS", () => {
  it("signs in over ldaps:// trusting the test CA", async () => {
    await useDirectory(id.deps, openLdapSettings(dir));
    expect((await authenticate(id.deps, alice())).actor.username).toBe("alice");
  });

  it("signs in over ldap:// upgraded with StartTLS, trusting the test CA", async () => {
    await useDirectory(id.deps, openLdapSettings(dir, { url: dir.slapd.url, startTls: true }));
    expect((await authenticate(id.deps, alice())).actor.username).toBe("alice");
    expect(await checkDirectory(id.deps, await operatorActor(id.deps))).toMatchObject({ users: 4 });
  });

  it.each([
    ["ldaps:// with an unrelated CA", () => openLdapSettings(dir, { caPem: dir.pki.wrongCaPem })],
    ["StartTLS with an unrelated CA", () => openLdapSettings(dir, { url: dir.slapd.url, startTls: true, caPem: dir.pki.wrongCaPem })],
    ["ldaps:// trusting only the system CAs", () => openLdapSettings(dir, { caPem: undefined })],
  ])("fails %s with DIRECTORY_TLS_FAILED, a message naming TLS and the fix", async (_, settings) => {
    await useDirectory(id.deps, settings());
    const error = await refusal(authenticate(id.deps, alice()));
    expect(error.code).toBe("DIRECTORY_TLS_FAILED");
    expect(error.message).toMatch(/^TLS with the directory at ldaps?:\/\/127\.0\.0\.1:\d+ failed/);
    expect(error.message).toContain("CA certificate");
    expect(error.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN/);
    // Nothing was sent in the clear and nobody was created.
    expect(await id.core.db.user.count({ where: { source: "Ldap" } })).toBe(0);
  });

  it("refuses plain ldap:// unless allowInsecure is set, and then works", async () => {
    const admin = await operatorActor(id.deps);
    const plain = openLdapSettings(dir, { url: dir.slapd.url, caPem: undefined });
    const error = await refusal(configureDirectory(id.deps, admin, { settings: plain, bindPassword: "x" }));
    expect(error).toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "url" }] });
    await useDirectory(id.deps, { ...plain, allowInsecure: true });
    expect((await authenticate(id.deps, alice())).actor.username).toBe("alice");
  });

  it("refuses at connect time a plain setting written around the checks", async () => {
    await useDirectory(id.deps, openLdapSettings(dir));
    const row = await id.core.db.setting.findUniqueOrThrow({ where: { key: "identity.directory" } });
    await id.core.db.setting.update({ where: { key: row.key }, data: { value: { ...(row.value as object), url: dir.slapd.url } } });
    const error = await refusal(authenticate(id.deps, alice()));
    expect(error.code).toBe("DIRECTORY_MISCONFIGURED");
    expect(error.message).toContain("plain LDAP");
  });
});
