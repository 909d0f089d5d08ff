// Acceptance 2: LDAPS and StartTLS with a CA the test generated work; a wrong CA fails naming TLS;
// plain ldap:// is refused unless explicitly allowed.
import { authenticate, checkDirectory, configureDirectory, operatorActor, type CarveError } from "@carve/core";
import { describe, expect, it } from "vitest";
import { openLdapSettings, useDirectory, useDirectorySuite } from "../lib/ldap/fixture.ts";
import { OPENLDAP_USERS } from "../lib/ldap/layouts.ts";

const t = useDirectorySuite();

const alice = () => ({ username: "alice", password: OPENLDAP_USERS.alice.password });

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toMatchObject({ name: "CarveError" });
  return error as CarveError;
}

describe("directory TLS", () => {
  it("signs in over ldaps:// trusting the test CA", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir));
    expect((await authenticate(t.id.deps, alice())).actor.username).toBe("alice");
  });

  it("signs in over ldap:// upgraded with StartTLS, trusting the test CA", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir, { url: t.dir.slapd.url, startTls: true }));
    expect((await authenticate(t.id.deps, alice())).actor.username).toBe("alice");
    expect(await checkDirectory(t.id.deps, await operatorActor(t.id.deps))).toMatchObject({ users: 4 });
  });

  it.each([
    ["ldaps:// with an unrelated CA", () => openLdapSettings(t.dir, { caPem: t.dir.pki.wrongCaPem })],
    ["StartTLS with an unrelated CA", () => openLdapSettings(t.dir, { url: t.dir.slapd.url, startTls: true, caPem: t.dir.pki.wrongCaPem })],
    ["ldaps:// trusting only the system CAs", () => openLdapSettings(t.dir, { caPem: undefined })],
  ])("fails %s with DIRECTORY_TLS_FAILED, a message naming TLS and the fix", async (_, settings) => {
    await useDirectory(t.id.deps, settings());
    const error = await refusal(authenticate(t.id.deps, alice()));
    expect(error.code).toBe("DIRECTORY_TLS_FAILED");
    expect(error.message).toMatch(/^TLS with the directory at ldaps?:\/\/127\.0\.0\.1:\d+ failed/);
    expect(error.message).toContain("CA certificate");
    expect(error.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN/);
    // Nothing was sent in the clear and nobody was created.
    expect(await t.id.core.db.user.count({ where: { source: "Ldap" } })).toBe(0);
  });

  it("refuses plain ldap:// unless allowInsecure is set, and then works", async () => {
    const admin = await operatorActor(t.id.deps);
    const plain = openLdapSettings(t.dir, { url: t.dir.slapd.url, caPem: undefined });
    const error = await refusal(configureDirectory(t.id.deps, admin, { settings: plain, bindPassword: "x" }));
    expect(error).toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "url" }] });
    await useDirectory(t.id.deps, { ...plain, allowInsecure: true });
    expect((await authenticate(t.id.deps, alice())).actor.username).toBe("alice");
  });

  it("refuses at connect time a plain setting written around the checks", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir));
    const row = await t.id.core.db.setting.findUniqueOrThrow({ where: { key: "identity.directory" } });
    await t.id.core.db.setting.update({ where: { key: row.key }, data: { value: { ...(row.value as object), url: t.dir.slapd.url } } });
    const error = await refusal(authenticate(t.id.deps, alice()));
    expect(error.code).toBe("DIRECTORY_MISCONFIGURED");
    expect(error.message).toContain("plain LDAP");
  });
});
