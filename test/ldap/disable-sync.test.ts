// Acceptance 5: disabled (or removed) in the directory + sync → that user's API key and session
// are refused at once; their VMs are listed for an admin.
import { authenticate, authenticateApiKey, createApiKey, createVm, listUsers, operatorActor, syncDirectory, validateSession, type CarveError } from "@carve/core";
import { seedInfra } from "@carve/core/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { adSettings, identityCore, openLdapSettings, startDirectory, useDirectory, type TDirectoryFixture, type TIdentityCore } from "../lib/ldap/fixture.ts";
import { deleteLdif, replaceLdif, toLdif } from "../lib/ldap/ldif.ts";
import { AD_USERS, adUserDn, PEOPLE_OU, personDn } from "../lib/ldap/layouts.ts";

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

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toMatchObject({ name: "CarveError" });
  return error as CarveError;
}

describe("directory sync", () => {
  it("creates every directory user with groups, then disables one removed from the directory: key, session and sign-in refused, VMs listed", async () => {
    await useDirectory(id.deps, openLdapSettings(dir), "openldap");
    const admin = await operatorActor(id.deps);
    // A user who exists only for this test, so deleting them leaves the other tests' directory alone.
    await dir.slapd.add(toLdif([{ dn: personDn("dave"), attrs: { objectClass: "inetOrgPerson", uid: "dave", cn: "Dave Null", sn: "Null", userPassword: "dave-Pass-1" } }]));
    const first = await syncDirectory(id.deps, admin);
    expect(first.created.sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'e,v+e"<x>;#\\']);
    expect(first.disabled).toEqual([]);
    expect((await listUsers(id.deps, admin)).find((u) => u.username === "bob")).toMatchObject({ teams: ["developers", "team-blue"] });

    const signedIn = await authenticate(id.deps, { username: "dave", password: "dave-Pass-1" });
    const { key } = await createApiKey(id.deps, signedIn.actor, { name: "ci", scope: "Write" });
    await seedInfra(id.deps);
    await createVm(id.deps, signedIn.actor, { name: "daves-box", template: "tiny", offering: "small" });
    expect((await authenticateApiKey(id.deps, { key })).username).toBe("dave");

    await dir.slapd.modify(deleteLdif(personDn("dave")));
    const second = await syncDirectory(id.deps, admin);
    expect(second.disabled).toEqual([{ username: "dave", vms: [expect.objectContaining({ name: "daves-box", state: "Creating" })] }]);
    expect(second.updated).toBe(5 - 1);
    console.log(`sync of ${second.directoryUsers} users: ${second.durationMs} ms`);

    expect((await refusal(authenticateApiKey(id.deps, { key }))).code).toBe("ACCOUNT_DISABLED");
    expect((await refusal(validateSession(id.deps, { userId: signedIn.user.id, sessionEpoch: signedIn.user.sessionEpoch }))).code).toBe("SESSION_EXPIRED");
    expect((await refusal(authenticate(id.deps, { username: "dave", password: "dave-Pass-1" }))).code).toBe("INVALID_CREDENTIALS");
    expect((await listUsers(id.deps, admin, { disabledOnly: true })).map((u) => [u.username, u.disabledReason, u.liveVms])).toEqual([["dave", "directory", 1]]);
    expect(await id.core.db.event.count({ where: { type: "user.disabled" } })).toBe(1);
  });

  it("follows AD's userAccountControl: disabled there → disabled in Carve; enabled there again → enabled by the next sync", async () => {
    await useDirectory(id.deps, adSettings(dir), "activeDirectory");
    const admin = await operatorActor(id.deps);
    const bj = await authenticate(id.deps, { username: "bjones", password: AD_USERS.bjones.password });
    const { key } = await createApiKey(id.deps, bj.actor, { name: "laptop" });
    try {
      await dir.slapd.modify(replaceLdif(adUserDn("Bob Jones"), "userAccountControl", ["514"]));
      const report = await syncDirectory(id.deps, admin);
      expect(report.disabled.map((d) => d.username)).toEqual(["bjones"]);
      expect((await refusal(authenticateApiKey(id.deps, { key }))).code).toBe("ACCOUNT_DISABLED");
      expect((await refusal(validateSession(id.deps, { userId: bj.user.id, sessionEpoch: bj.user.sessionEpoch }))).code).toBe("SESSION_EXPIRED");
      // The directory refuses a disabled account's sign-in too; Carve answers like any failed sign-in.
      expect((await refusal(authenticate(id.deps, { username: "bjones", password: AD_USERS.bjones.password }))).code).toBe("INVALID_CREDENTIALS");
    } finally {
      await dir.slapd.modify(replaceLdif(adUserDn("Bob Jones"), "userAccountControl", ["512"]));
    }
    expect((await syncDirectory(id.deps, admin)).reenabled).toEqual(["bjones"]);
    expect((await authenticateApiKey(id.deps, { key })).username).toBe("bjones");
  });

  it("disables nobody when the directory returns no users at all (a wrong base looks like everyone leaving)", async () => {
    await useDirectory(id.deps, openLdapSettings(dir), "openldap");
    const admin = await operatorActor(id.deps);
    await syncDirectory(id.deps, admin);
    await useDirectory(id.deps, openLdapSettings(dir, { userBase: `ou=Nobody,${PEOPLE_OU}` }));
    const report = await syncDirectory(id.deps, admin);
    expect(report.disabled).toEqual([]);
    expect(report.warning).toContain("returned no users");
    expect(await id.core.db.user.count({ where: { disabledAt: { not: null } } })).toBe(0);
  });
});
