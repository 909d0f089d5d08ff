import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestCore, createTestUser, refusal, type TTestCore } from "../testing/index.ts";
import { authenticate } from "./authenticate.ts";
import { withIdentity, type TIdentityDeps } from "./identity-options.ts";
import { operatorActor } from "./operator-actor.ts";
import { resetPassword } from "./reset-password.ts";
import { setupFirstAdmin } from "./setup-first-admin.ts";
import { ensureSetupToken, issueSetupToken } from "./setup-token.ts";
import { startSession } from "./start-session.ts";
import { validateSession } from "./validate-session.ts";

let core: TTestCore;
let deps: TIdentityDeps;
beforeEach(async () => {
  core = await createTestCore();
  deps = withIdentity(core, { failureFloorMs: 0 });
});
afterEach(async () => {
  await core.drop();
});

async function token(): Promise<string> {
  const status = await ensureSetupToken(deps);
  if (status.status !== "created") throw new Error(`expected a new token, got ${status.status}`);
  return status.token;
}

describe("first-run setup", () => {
  it("prints one token while no admin can sign in; it creates the first admin once, then never again", async () => {
    await operatorActor(deps); // the CLI's built-in admin has no password: it does not count
    expect(await core.db.user.count({ where: { passwordHash: { not: null } } })).toBe(0);
    const t = await token();
    expect(t).toMatch(/^carve-setup-/);
    expect(await ensureSetupToken(deps)).toMatchObject({ status: "pending" });
    expect(JSON.stringify(await core.db.oneTimeToken.findMany())).not.toContain(t);

    const admin = await setupFirstAdmin(deps, { token: t, username: "root-admin", password: "a long first password" });
    expect(admin).toMatchObject({ username: "root-admin", role: "Admin", source: "Local" });
    expect((await authenticate(deps, { username: "root-admin", password: "a long first password" })).actor.role).toBe("Admin");
    expect((await refusal(setupFirstAdmin(deps, { token: t, username: "second", password: "another long password" }))).code).toBe("SETUP_TOKEN_INVALID");
    expect(await ensureSetupToken(deps)).toEqual({ status: "not-needed" });
  });

  it("refuses an expired token, a made-up one, and a short password (spending nothing)", async () => {
    const t = await token();
    expect((await refusal(setupFirstAdmin(deps, { token: t, username: "root-admin", password: "short" }))).fields[0]?.field).toBe("password");
    expect((await refusal(setupFirstAdmin(deps, { token: "carve-setup-guess", username: "root-admin", password: "a long first password" }))).code).toBe("SETUP_TOKEN_INVALID");
    const later = withIdentity({ ...core, now: () => new Date(Date.now() + 25 * 3600_000) }, {});
    expect((await refusal(setupFirstAdmin(later, { token: t, username: "root-admin", password: "a long first password" }))).code).toBe("SETUP_TOKEN_INVALID");
    expect(await setupFirstAdmin(deps, { token: t, username: "root-admin", password: "a long first password" })).toMatchObject({ role: "Admin" });
  });

  it("lets the operator replace a lost token; the old one stops working", async () => {
    const lost = await token();
    const fresh = await issueSetupToken(deps, await operatorActor(deps));
    expect((await refusal(setupFirstAdmin(deps, { token: lost, username: "a-admin", password: "a long first password" }))).code).toBe("SETUP_TOKEN_INVALID");
    await setupFirstAdmin(deps, { token: fresh.token, username: "a-admin", password: "a long first password" });
    expect((await refusal(issueSetupToken(deps, await operatorActor(deps)))).code).toBe("ALREADY_EXISTS");
  });
});

describe("reset-password", () => {
  it("sets a local password, ends the user's sessions, and refuses directory users and the operator", async () => {
    const t = await token();
    const admin = await setupFirstAdmin(deps, { token: t, username: "root-admin", password: "a long first password" });
    const { user } = await authenticate(deps, { username: "root-admin", password: "a long first password" });
    const session = await startSession(deps, { userId: user.id });
    await resetPassword(deps, await operatorActor(deps), { user: "root-admin", password: "a brand new password" });
    expect((await refusal(authenticate(deps, { username: "root-admin", password: "a long first password" }))).code).toBe("INVALID_CREDENTIALS");
    expect((await authenticate(deps, { username: "root-admin", password: "a brand new password" })).user.id).toBe(admin.id);
    expect((await refusal(validateSession(deps, session))).code).toBe("SESSION_EXPIRED");

    await core.db.user.create({ data: { username: "dirk", source: "Ldap" } });
    expect((await refusal(resetPassword(deps, await operatorActor(deps), { user: "dirk", password: "a brand new password" }))).message).toContain("directory");
    expect((await refusal(resetPassword(deps, await operatorActor(deps), { user: "operator", password: "a brand new password" }))).message).toContain("never signs in");
    const bob = await createTestUser(deps, "bob");
    expect((await refusal(resetPassword(deps, bob, { user: "root-admin", password: "a brand new password" }))).code).toBe("FORBIDDEN");
  });
});
