// Issue 16 item 4: a portal session ends, or loses its role, on the user's very next request after
// sign-out, an admin's "sign out everywhere", a password reset, disabling the account, or a group
// mapping that takes Admin away. The built portal, real sign-ins through Chromium; the copied
// session cookie is then replayed from outside the browser, as a thief would.
import { randomBytes } from "node:crypto";
import { createLocalUser, mapGroup, operatorActor, resetPassword, setUserEnabled, withIdentity, type TActor } from "@carve/core";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCarve } from "../../apps/cli/src/testing/run-carve.ts";
import { openLdapSettings, startDirectory, useDirectory, type TDirectoryFixture } from "../lib/ldap/fixture.ts";
import { GROUPS_OU, OPENLDAP_USERS } from "../lib/ldap/layouts.ts";
import { startPortalRun, type TPortalRun } from "../lib/portal/portal-session.ts";
import { Stack, until } from "../lib/stack/stack.ts";

const ADMINS_GROUP = `cn=carve-admins,${GROUPS_OU}`;
const LOU_PASSWORD = "lou-first-Password-1";

let stack: Stack;
let directory: TDirectoryFixture | undefined;
let run: TPortalRun;
let ops: TActor;

beforeAll(async () => {
  stack = await new Stack().init();
  const secretKey = randomBytes(32);
  directory = await startDirectory();
  await useDirectory(withIdentity(stack.core, { secretKey }), openLdapSettings(directory));
  ops = await operatorActor(stack.core);
  await createLocalUser(stack.core, ops, { username: "lou", password: LOU_PASSWORD, role: "User" });
  run = await startPortalRun(stack, secretKey);
}, 600_000);

afterAll(async () => {
  await run?.close();
  await directory?.stop();
  await stack?.stop();
});

/** A directory user signed in through the sign-in page, in a browser context of their own. */
const signIn = (username: keyof typeof OPENLDAP_USERS) => run.signIn(username, OPENLDAP_USERS[username].password);

/** The session cookie as a `Cookie` header, copied out of the browser. */
async function copiedCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
  if (!cookie) throw new Error("the browser holds no session cookie after signing in");
  return `${cookie.name}=${cookie.value}`;
}

/** A request from outside the browser with a copied cookie: status and the JSON error's code and message. */
async function replay(cookie: string, path: string): Promise<{ status: number; code?: string; message?: string }> {
  const response = await fetch(`${run.portal.url}${path}`, { headers: { cookie } });
  const body = (await response.json()) as { code?: string; message?: string };
  return { status: response.status, code: body.code, message: body.message };
}

describe("portal sessions end on the server", () => {
  it("refuses a copied cookie after its user signed out (401), while that user's other session goes on", async () => {
    const { context, page } = await signIn("bob");
    const other = await signIn("bob");
    const cookie = await copiedCookie(context);
    expect((await replay(cookie, "/api/v1/vms")).status).toBe(200);
    // What the browser's scripts can read of the session names the user, never the session's token.
    const shown = (await (await fetch(`${run.portal.url}/api/auth/session`, { headers: { cookie } })).json()) as { carve?: Record<string, unknown> };
    expect(Object.keys(shown.carve ?? {}).sort()).toEqual(["role", "userId", "username"]);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${run.portal.url}/signin`);
    expect(await replay(cookie, "/api/v1/vms")).toMatchObject({ status: 401, code: "SESSION_EXPIRED", message: "Your session has ended (you signed out). Sign in again." });
    expect((await replay(await copiedCookie(other.context), "/api/v1/vms")).status).toBe(200);
    await context.close();
    await other.context.close();
  });

  it("answers 403 to an admin's next admin request once a group mapping takes Admin away, and 200 once it gives it back", async () => {
    const { context } = await signIn("alice");
    const cookie = await copiedCookie(context);
    expect((await replay(cookie, "/api/v1/hosts")).status).toBe(200);
    expect((await replay(cookie, "/api/v1/admin/jobs")).status).toBe(200);

    await mapGroup(stack.core, ops, { group: ADMINS_GROUP, role: "User" });
    try {
      expect(await replay(cookie, "/api/v1/hosts")).toMatchObject({ status: 403, code: "FORBIDDEN" });
      expect(await replay(cookie, "/api/v1/admin/jobs")).toMatchObject({ status: 403, code: "FORBIDDEN" });
      expect((await replay(cookie, "/api/v1/vms")).status).toBe(200);
    } finally {
      await mapGroup(stack.core, ops, { group: ADMINS_GROUP, role: "Admin" });
    }
    expect((await replay(cookie, "/api/v1/hosts")).status).toBe(200);
    await context.close();
  });

  it("lets an admin sign a user out everywhere, from the users page or with `carve user sign-out`", async () => {
    const carol = await signIn("carol");
    const carolsCookie = await copiedCookie(carol.context);
    const admin = await signIn("alice");
    await run.visit(admin.page, "/admin/users", "admin-users");
    await admin.page.getByRole("button", { name: "Sign carol out everywhere" }).click();
    await admin.page.getByRole("button", { name: "Yes, sign out everywhere" }).click();
    await until(async () => (await stack.core.db.auditEntry.count({ where: { action: "user.sign-out", outcome: "ok" } })) === 1, 30_000, "the admin's sign-out of carol to be recorded");
    expect(await replay(carolsCookie, "/api/v1/vms")).toMatchObject({ status: 401, message: "Your session has ended (an admin signed you out everywhere). Sign in again." });
    expect((await replay(await copiedCookie(admin.context), "/api/v1/vms")).status).toBe(200);

    const again = await signIn("carol");
    const secondCookie = await copiedCookie(again.context);
    const cli = await runCarve({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix }, "user", "sign-out", "carol");
    expect(cli).toMatchObject({ code: 0, stdout: "carol signed out everywhere: 1 session ended\n" });
    expect((await replay(secondCookie, "/api/v1/vms")).status).toBe(401);
    for (const c of [carol.context, admin.context, again.context]) await c.close();
  });

  it("ends a local user's sessions when an admin resets their password, and when the account is disabled", async () => {
    const first = await run.signIn("lou", LOU_PASSWORD);
    const cookie = await copiedCookie(first.context);
    expect((await replay(cookie, "/api/v1/vms")).status).toBe(200);
    await resetPassword(stack.core, ops, { user: "lou", password: "lou-second-Password-2" });
    expect(await replay(cookie, "/api/v1/vms")).toMatchObject({ status: 401, message: "Your session has ended (your password was reset). Sign in again." });

    const second = await run.signIn("lou", "lou-second-Password-2");
    const newCookie = await copiedCookie(second.context);
    await setUserEnabled(stack.core, ops, { user: "lou", enabled: false });
    expect(await replay(newCookie, "/api/v1/vms")).toMatchObject({ status: 401, message: "Your session has ended (your account was disabled). Sign in again." });
    // Enabled again, the old session stays ended.
    await setUserEnabled(stack.core, ops, { user: "lou", enabled: true });
    expect((await replay(newCookie, "/api/v1/vms")).status).toBe(401);
    await first.context.close();
    await second.context.close();
  });
});
