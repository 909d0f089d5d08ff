// The set-up of a browser suite whose users sign in from the directory: the real stack (database,
// Redis, controller, two test-driver agents), slapd with the OPENLDAP_USERS, and the built portal
// with Chromium (portal-session.ts); plus signing the directory's users in and core actors for them.
import { randomBytes } from "node:crypto";
import { withIdentity, type TActor, type TUserActor } from "@carve/core";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { openLdapSettings, startDirectory, useDirectory, type TDirectoryFixture } from "../ldap/fixture.ts";
import { OPENLDAP_USERS } from "../ldap/layouts.ts";
import { Stack } from "../stack/stack.ts";
import { addTestHosts } from "../stack/test-hosts.ts";
import { createUser } from "../stack/users.ts";
import { startPortalRun, type TPortalRun } from "./portal-session.ts";

export { SCREENSHOTS } from "./portal-session.ts";

export type TDirectoryUser = keyof typeof OPENLDAP_USERS;

export interface TPortalSuite {
  stack: Stack;
  run: TPortalRun;
  /** The admin `ops` (no password: cannot sign in) that set the stack up. */
  ops: TActor;
  /** A new browser context signed in as a directory user, on My VMs (`screenshot`: of the filled-in sign-in form first). */
  signedIn(username: TDirectoryUser, screenshot?: string): Promise<{ context: BrowserContext; page: Page }>;
  /** The directory user as a core actor (they must have signed in once). */
  userActor(username: string): Promise<TUserActor>;
}

/**
 * Registers beforeAll/afterAll hooks that start (and stop) all of it; the returned object's fields
 * are set once beforeAll has run. `prepare` runs once
 * the hosts are up, before the portal starts.
 */
export function usePortalSuite(prepare?: (suite: TPortalSuite) => Promise<void>): TPortalSuite {
  let directory: TDirectoryFixture | undefined;
  const suite = {} as TPortalSuite;
  suite.signedIn = async (username, screenshot) => {
    if (screenshot) {
      const context = await suite.run.browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await suite.run.visit(page, "/signin", "sign-in");
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Password").fill(OPENLDAP_USERS[username].password);
      await suite.run.screenshot(page, screenshot);
      await context.close();
    }
    return suite.run.signIn(username, OPENLDAP_USERS[username].password);
  };
  suite.userActor = async (username) => {
    const user = await suite.stack.core.db.user.findUniqueOrThrow({ where: { username } });
    return { kind: "user", userId: user.id, username, role: user.role, via: "cli" };
  };

  beforeAll(async () => {
    suite.stack = await new Stack().init();
    suite.ops = await createUser(suite.stack.core, "ops", "Admin");
    await suite.stack.startController();
    // Two agents on one machine: no volume-stream receiver (storage migration is not tested here).
    await addTestHosts(suite.stack, suite.ops, { count: 2, agentEnv: { CARVE_AGENT_MIGRATION_LISTEN: "off" } });
    const secretKey = randomBytes(32);
    directory = await startDirectory();
    await useDirectory(withIdentity(suite.stack.core, { secretKey }), openLdapSettings(directory));
    await prepare?.(suite);
    suite.run = await startPortalRun(suite.stack, secretKey);
  }, 900_000);

  afterAll(async () => {
    await suite.run?.close();
    await directory?.stop();
    await suite.stack?.stop();
  });

  return suite;
}
