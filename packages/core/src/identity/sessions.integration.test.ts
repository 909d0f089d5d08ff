import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { endUserSessions, mapGroup } from "../audit/audited-use-cases.ts";
import { createTestCore, createTestUser, refusal, type TTestCore } from "../testing/index.ts";
import { endSession } from "./end-session.ts";
import { operatorActor } from "./operator-actor.ts";
import { pruneSessions, pruneSignInRecords, SESSION_RETENTION_MS } from "./prune-sessions.ts";
import { SESSION_TTL_MS } from "./session-token.ts";
import { startSession } from "./start-session.ts";
import { validateSession } from "./validate-session.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const later = (ms: number) => ({ ...core, now: () => new Date(Date.now() + ms) });

describe("portal sessions", () => {
  it("stores only the token's hash, and signing out ends that one session (audited) while the user's others go on", async () => {
    const alice = await createTestUser(core, "alice");
    const laptop = await startSession(core, { userId: alice.userId });
    const phone = await startSession(core, { userId: alice.userId });
    expect(JSON.stringify(await core.db.session.findMany())).not.toContain(laptop.sessionToken);
    expect(await validateSession(core, laptop)).toMatchObject({ userId: alice.userId, username: "alice", role: "User", via: "portal" });

    expect(await endSession(core, laptop)).toEqual({ ended: true });
    const ended = await refusal(validateSession(core, laptop));
    expect(ended.code).toBe("SESSION_EXPIRED");
    expect(ended.message).toContain("you signed out");
    expect((await validateSession(core, phone)).username).toBe("alice");
    // Signing out twice, or with something that is no token, changes nothing and is no error.
    expect(await endSession(core, laptop)).toEqual({ ended: false });
    expect(await endSession(core, { sessionToken: "not a token" })).toEqual({ ended: false });
    expect(await core.db.auditEntry.findMany({ where: { action: "auth.logout" }, select: { actorName: true, outcome: true, targetType: true } })).toEqual([{ actorName: "alice", outcome: "ok", targetType: "session" }]);
  });

  it("refuses a token it never issued, and a session past its 12 hours", async () => {
    const alice = await createTestUser(core, "alice");
    const session = await startSession(core, { userId: alice.userId });
    expect((await refusal(validateSession(core, { sessionToken: "A".repeat(43) }))).code).toBe("SESSION_EXPIRED");
    expect((await refusal(validateSession(core, { sessionToken: "x\u0000" }))).code).toBe("SESSION_EXPIRED");
    expect((await refusal(validateSession(later(SESSION_TTL_MS + 1000), session))).message).toContain("expired");
  });

  it("lets an admin sign a user out everywhere (audited), and nobody else", async () => {
    const alice = await createTestUser(core, "alice");
    const bob = await createTestUser(core, "bob");
    const sessions = [await startSession(core, { userId: alice.userId }), await startSession(core, { userId: alice.userId })];
    const bobs = await startSession(core, { userId: bob.userId });
    expect((await refusal(endUserSessions(core, bob, { user: "alice" }))).code).toBe("FORBIDDEN");
    expect((await validateSession(core, sessions[0] ?? bobs)).username).toBe("alice");

    expect(await endUserSessions(core, await operatorActor(core), { user: "alice" })).toEqual({ username: "alice", ended: 2 });
    for (const session of sessions) expect((await refusal(validateSession(core, session))).message).toContain("an admin signed you out everywhere");
    expect((await validateSession(core, bobs)).username).toBe("bob");
    const rows = await core.db.auditEntry.findMany({ where: { action: "user.sign-out" }, select: { actorName: true, outcome: true, targetName: true }, orderBy: { at: "asc" } });
    expect(rows).toEqual([
      { actorName: "bob", outcome: "refused", targetName: "alice" },
      { actorName: "operator", outcome: "ok", targetName: "alice" },
    ]);
  });

  it("takes Admin away from a directory group's members on their next request when the group's mapping changes", async () => {
    const admins = await core.db.group.create({ data: { name: "carve-admins", ldapDn: "cn=carve-admins,ou=Groups,dc=example,dc=org", role: "Admin" } });
    const devs = await core.db.group.create({ data: { name: "devs", ldapDn: "cn=devs,ou=Groups,dc=example,dc=org", role: null } });
    const dana = await core.db.user.create({ data: { username: "dana", source: "Ldap", role: "Admin", memberships: { create: [{ groupId: admins.id }, { groupId: devs.id }] } } });
    const session = await startSession(core, { userId: dana.id });
    expect((await validateSession(core, session)).role).toBe("Admin");

    await mapGroup(core, await operatorActor(core), { group: "carve-admins", role: "User" });
    expect((await validateSession(core, session)).role).toBe("User");
    // Mapping another of her groups to Admin gives it back, also at once.
    await mapGroup(core, await operatorActor(core), { group: "cn=devs,ou=Groups,dc=example,dc=org", role: "Admin" });
    expect((await validateSession(core, session)).role).toBe("Admin");
    expect((await core.db.event.findMany({ where: { type: "user.role-changed" }, orderBy: { at: "asc" } })).map((e) => e.message)).toEqual([
      "dana is now a User (a group mapping changed)",
      "dana is now an Admin (a group mapping changed)",
    ]);
  });

  it("forgets sessions a week after they ended or expired", async () => {
    const alice = await createTestUser(core, "alice");
    const old = await startSession(core, { userId: alice.userId });
    await endSession(core, old);
    const live = await startSession(core, { userId: alice.userId });
    expect(await pruneSessions(core.db, new Date())).toBe(0);
    expect(await pruneSessions(core.db, new Date(Date.now() + SESSION_RETENTION_MS + 60_000))).toBe(1);
    expect((await validateSession(core, live)).username).toBe("alice");
  });

  it("the controller's housekeeping (pruneSignInRecords) forgets them too, on its own clock", async () => {
    const bob = await createTestUser(core, "bob");
    await endSession(core, await startSession(core, { userId: bob.userId }));
    const sessionsOfBob = () => core.db.session.count({ where: { userId: bob.userId } });
    await pruneSignInRecords(core);
    expect(await sessionsOfBob()).toBe(1);
    await pruneSignInRecords({ ...core, now: () => new Date(Date.now() + SESSION_RETENTION_MS + 60_000) });
    expect(await sessionsOfBob()).toBe(0);
  });
});
