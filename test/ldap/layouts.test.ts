// Acceptance 1: an OpenLDAP layout and an AD-like layout both sign in; groups map to roles and teams.
import { authenticate, listUsers, operatorActor } from "@carve/core";
import { afterAll, describe, expect, it } from "vitest";
import { adSettings, openLdapSettings, useDirectory, useDirectorySuite } from "../lib/ldap/fixture.ts";
import { AD_GROUPS_OU, AD_USERS, OPENLDAP_USERS, PEOPLE_OU } from "../lib/ldap/layouts.ts";

const t = useDirectorySuite();
afterAll(() => {
  console.log(`test PKI ${t.dir.timings.pkiMs.toFixed(0)} ms, slapd start ${t.dir.timings.slapdMs.toFixed(0)} ms, seed ${t.dir.timings.seedMs.toFixed(0)} ms`);
});

async function userView(username: string) {
  const users = (await listUsers(t.id.deps, await operatorActor(t.id.deps), { search: username })).items;
  return users.find((u) => u.username === username);
}

describe("OpenLDAP layout (uid, mail, cn, groupOfNames)", () => {
  it("signs directory users in, creating their accounts with role and teams from their groups", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir), "openldap");
    const started = performance.now();
    const alice = await authenticate(t.id.deps, { username: "alice", password: OPENLDAP_USERS.alice.password });
    console.log(`LDAPS sign-in (first, creates the account): ${(performance.now() - started).toFixed(0)} ms`);
    expect(alice.actor).toMatchObject({ username: "alice", role: "Admin" });
    expect(alice.user).toMatchObject({ source: "Ldap", email: "alice@carve.test", displayName: "Alice Liddell" });
    const again = performance.now();
    await authenticate(t.id.deps, { username: "alice", password: OPENLDAP_USERS.alice.password });
    console.log(`LDAPS sign-in (known user): ${(performance.now() - again).toFixed(0)} ms`);

    const bob = await authenticate(t.id.deps, { username: "Bob", password: OPENLDAP_USERS.bob.password });
    expect(bob.actor).toMatchObject({ username: "bob", role: "User" });
    expect(await userView("bob")).toMatchObject({ groups: ["developers", "team-blue"], teams: ["developers", "team-blue"] });
    expect(await userView("alice")).toMatchObject({ groups: ["carve-admins", "developers"], teams: ["developers"] });
  });

  it("finds groups by searching groupOfNames members instead of memberOf", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir, { groups: { mode: "search", base: `ou=Groups,dc=carve,dc=test` } }), "openldap");
    expect((await authenticate(t.id.deps, { username: "alice", password: OPENLDAP_USERS.alice.password })).actor.role).toBe("Admin");
    expect(await userView("alice")).toMatchObject({ groups: ["carve-admins", "developers"] });
  });

  it("signs in a user whose uid is full of DN special characters, with their own password only", async () => {
    await useDirectory(t.id.deps, openLdapSettings(t.dir), "openldap");
    const name = 'e,v+e"<x>;#\\';
    const eve = await authenticate(t.id.deps, { username: name, password: OPENLDAP_USERS[name].password });
    expect(eve.actor.username).toBe(name);
    await expect(authenticate(t.id.deps, { username: name, password: OPENLDAP_USERS.alice.password })).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
  });

  it("binds without a service account through a DN template", async () => {
    await useDirectory(t.id.deps, { ...openLdapSettings(t.dir), bindDn: undefined, userDnTemplate: `uid={username},${PEOPLE_OU}` }, "openldap");
    expect((await authenticate(t.id.deps, { username: "bob", password: OPENLDAP_USERS.bob.password })).actor.username).toBe("bob");
    const name = 'e,v+e"<x>;#\\';
    expect((await authenticate(t.id.deps, { username: name, password: OPENLDAP_USERS[name].password })).actor.username).toBe(name);
  });
});

describe("AD-like layout (sAMAccountName, userPrincipalName, memberOf, nested groups)", () => {
  it("signs users in by sAMAccountName or UPN, as one account, with nested groups mapped", async () => {
    await useDirectory(t.id.deps, adSettings(t.dir), "activeDirectory");
    const started = performance.now();
    const asmith = await authenticate(t.id.deps, { username: "asmith", password: AD_USERS.asmith.password });
    console.log(`AD-like sign-in with nested group lookup: ${(performance.now() - started).toFixed(0)} ms`);
    expect(asmith.actor).toMatchObject({ username: "asmith", role: "Admin" });
    expect(asmith.user.displayName).toBe("Alice Smith");
    const byUpn = await authenticate(t.id.deps, { username: "asmith@corp.test", password: AD_USERS.asmith.password });
    expect(byUpn.user.id).toBe(asmith.user.id);

    const bjones = await authenticate(t.id.deps, { username: "BJONES", password: AD_USERS.bjones.password });
    expect(bjones.actor).toMatchObject({ username: "bjones", role: "User" });
    // Bob is in Engineering only through Backend: nesting is followed, and Engineering is a team.
    expect(await userView("bjones")).toMatchObject({ groups: ["Backend", "Engineering"], teams: ["Engineering"] });
  });

  it("changes a user's role when an admin maps their group, at their next sign-in", async () => {
    await useDirectory(t.id.deps, adSettings(t.dir, { groupMappings: [] }), "activeDirectory");
    expect((await authenticate(t.id.deps, { username: "bjones", password: AD_USERS.bjones.password })).actor.role).toBe("User");
    const { mapGroup } = await import("@carve/core");
    await mapGroup(t.id.deps, await operatorActor(t.id.deps), { group: `cn=Engineering,${AD_GROUPS_OU}`, role: "Admin" });
    expect((await authenticate(t.id.deps, { username: "bjones", password: AD_USERS.bjones.password })).actor.role).toBe("Admin");
  });
});
