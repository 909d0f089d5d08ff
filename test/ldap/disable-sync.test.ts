// Acceptance 5: disabled (or removed) in the directory + sync → that user's API key and session
// are refused at once; their VMs are listed for an admin.
import { authenticate, authenticateApiKey, createApiKey, createVm, listUsers, operatorActor, startSession, syncDirectory, validateSession, type CarveError } from "@carve/core";
import { seedInfra } from "@carve/core/testing";
import { describe, expect, it } from "vitest";
import { adSettings, openLdapSettings, useDirectory, useDirectorySuite } from "../lib/ldap/fixture.ts";
import { deleteLdif, replaceLdif, toLdif } from "../lib/ldap/ldif.ts";
import { AD_USERS, adUserDn, PEOPLE_OU, personDn } from "../lib/ldap/layouts.ts";

const t = useDirectorySuite();

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toMatchObject({ name: "CarveError" });
  return error as CarveError;
}

describe("directory sync", () => {
  it("creates every directory user with groups, then disables one removed from the directory: key, session and sign-in refused, VMs listed", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir), "openldap");
    const admin = await operatorActor(t.id.deps);
    // A user who exists only for this test, so deleting them leaves the other tests' directory alone.
    await t.dir.slapd.add(toLdif([{ dn: personDn("dave"), attrs: { objectClass: "inetOrgPerson", uid: "dave", cn: "Dave Null", sn: "Null", userPassword: "dave-Pass-1" } }]));
    const first = await syncDirectory(t.id.deps, admin);
    expect(first.created.sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'e,v+e"<x>;#\\']);
    expect(first.disabled).toEqual([]);
    expect((await listUsers(t.id.deps, admin)).items.find((u) => u.username === "bob")).toMatchObject({ teams: ["developers", "team-blue"] });

    const signedIn = await authenticate(t.id.deps, { username: "dave", password: "dave-Pass-1" });
    const session = await startSession(t.id.deps, { userId: signedIn.user.id });
    const { key } = await createApiKey(t.id.deps, signedIn.actor, { name: "ci", scope: "Write" });
    await seedInfra(t.id.deps);
    await createVm(t.id.deps, signedIn.actor, { name: "daves-box", template: "tiny", offering: "small" });
    expect((await authenticateApiKey(t.id.deps, { key })).username).toBe("dave");

    await t.dir.slapd.modify(deleteLdif(personDn("dave")));
    const second = await syncDirectory(t.id.deps, admin);
    expect(second.disabled).toEqual([{ username: "dave", vms: [expect.objectContaining({ name: "daves-box", state: "Creating" })] }]);
    expect(second.updated).toBe(5 - 1);
    console.log(`sync of ${second.directoryUsers} users: ${second.durationMs} ms`);

    expect((await refusal(authenticateApiKey(t.id.deps, { key }))).code).toBe("ACCOUNT_DISABLED");
    expect((await refusal(validateSession(t.id.deps, session))).code).toBe("SESSION_EXPIRED");
    expect((await refusal(authenticate(t.id.deps, { username: "dave", password: "dave-Pass-1" }))).code).toBe("INVALID_CREDENTIALS");
    expect((await listUsers(t.id.deps, admin, { disabledOnly: true })).items.map((u) => [u.username, u.disabledReason, u.liveVms])).toEqual([["dave", "directory", 1]]);
    expect(await t.id.core.db.event.count({ where: { type: "user.disabled" } })).toBe(1);
  });

  it("follows AD's userAccountControl: disabled there → disabled in Carve; enabled there again → enabled by the next sync", async () => {
    await useDirectory(t.id.deps, adSettings(t.dir), "activeDirectory");
    const admin = await operatorActor(t.id.deps);
    const bj = await authenticate(t.id.deps, { username: "bjones", password: AD_USERS.bjones.password });
    const session = await startSession(t.id.deps, { userId: bj.user.id });
    const { key } = await createApiKey(t.id.deps, bj.actor, { name: "laptop" });
    try {
      await t.dir.slapd.modify(replaceLdif(adUserDn("Bob Jones"), "userAccountControl", ["514"]));
      const report = await syncDirectory(t.id.deps, admin);
      expect(report.disabled.map((d) => d.username)).toEqual(["bjones"]);
      expect((await refusal(authenticateApiKey(t.id.deps, { key }))).code).toBe("ACCOUNT_DISABLED");
      expect((await refusal(validateSession(t.id.deps, session))).code).toBe("SESSION_EXPIRED");
      // The directory refuses a disabled account's sign-in too; Carve answers like any failed sign-in.
      expect((await refusal(authenticate(t.id.deps, { username: "bjones", password: AD_USERS.bjones.password }))).code).toBe("INVALID_CREDENTIALS");
    } finally {
      await t.dir.slapd.modify(replaceLdif(adUserDn("Bob Jones"), "userAccountControl", ["512"]));
    }
    expect((await syncDirectory(t.id.deps, admin)).reenabled).toEqual(["bjones"]);
    expect((await authenticateApiKey(t.id.deps, { key })).username).toBe("bjones");
  });

  it("disables nobody when the directory returns no users at all (a wrong base looks like everyone leaving)", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir), "openldap");
    const admin = await operatorActor(t.id.deps);
    await syncDirectory(t.id.deps, admin);
    await useDirectory(t.id.deps, openLdapSettings(t.dir, { userBase: `ou=Nobody,${PEOPLE_OU}` }));
    const report = await syncDirectory(t.id.deps, admin);
    expect(report.disabled).toEqual([]);
    expect(report.warning).toContain("returned no users");
    expect(await t.id.core.db.user.count({ where: { disabledAt: { not: null } } })).toBe(0);
  });
});
