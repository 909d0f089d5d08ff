import type { UserRecord } from "@carve/db";
import type { CoreDeps } from "../../context.ts";
import { groupsOf } from "./directory-groups.ts";
import type { TDirectory } from "./directory-settings.ts";
import { findDirectoryUser, openServiceSession, toDirectoryUser, userAttributes, usersFilter } from "./directory-users.ts";
import { dnFromTemplate } from "./ldap-escape.ts";
import { LdapSession, type LdapEntry } from "./ldap-session.ts";
import { provisionDirectoryUser } from "./provision-directory-user.ts";
import { isUniqueViolation } from "../../validation/is-unique-violation.ts";

/**
 * Checks a password against the directory and, when it is right, brings the user's Carve
 * account up to date (created on first sign-in, groups and role refreshed). Null for any kind of
 * "no": unknown, ambiguous, wrong password, disabled in the directory, or a name that belongs to
 * a local account. Directory trouble (down, TLS, settings) throws its CarveError.
 */
export async function verifyDirectoryUser(deps: CoreDeps, directory: TDirectory, username: string, password: string, timeoutMs: number): Promise<UserRecord | null> {
  const { config } = directory;
  const session = await openServiceSession(directory, timeoutMs);
  try {
    const entry = config.bindDn ? await searchAndBind(session, directory, username, password, timeoutMs) : await bindByTemplate(session, directory, username, password);
    const du = entry ? toDirectoryUser(entry, config) : null;
    if (!entry || !du) return null;
    const groups = await groupsOf(session, config, { entry, username: du.username });
    const provisioned = await provision(deps, () => deps.db.$transaction((tx) => provisionDirectoryUser(tx, du, groups)));
    if (provisioned.kind === "conflict") {
      deps.log.warn({ username: du.username }, "directory user has the name of a local account; refusing the directory sign-in");
      return null;
    }
    return provisioned.user;
  } finally {
    await session.close();
  }
}

/** Service account finds the entry; the password is checked by binding as it on its own connection. */
async function searchAndBind(session: LdapSession, directory: TDirectory, username: string, password: string, timeoutMs: number): Promise<LdapEntry | null> {
  const entry = await findDirectoryUser(session, directory.config, username);
  if (!entry) return null;
  const userSession = await LdapSession.open(directory.config, timeoutMs);
  try {
    return (await userSession.bind(entry.dn, password)) ? entry : null;
  } finally {
    await userSession.close();
  }
}

/** No service account: bind as the DN built from the template (value escaped per RFC 4514), then read the entry as the user. */
async function bindByTemplate(session: LdapSession, directory: TDirectory, username: string, password: string): Promise<LdapEntry | null> {
  const template = directory.config.userDnTemplate;
  if (!template) return null;
  const dn = dnFromTemplate(template, username);
  if (!(await session.bind(dn, password))) return null;
  const entries = await session.search(dn, usersFilter(directory.config), userAttributes(directory.config), "base");
  return entries[0] ?? null;
}

/** Two first sign-ins of one new user at once race on the unique username: the loser retries once. */
async function provision<T>(deps: CoreDeps, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) return work();
    throw error;
  }
}
