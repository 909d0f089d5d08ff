import { CarveError } from "../../errors/index.ts";
import type { TDirectoryConfig } from "./directory-config.ts";
import type { TDirectory } from "./directory-settings.ts";
import { escapeFilterValue } from "./ldap-escape.ts";
import { LdapSession, type LdapEntry } from "./ldap-session.ts";

/** What Carve keeps of a directory user. */
export interface TDirectoryUser {
  dn: string;
  /** Carve username: the first login attribute's value, lower-cased (directories match case-insensitively). */
  username: string;
  email: string | null;
  displayName: string | null;
}

/** Attributes read for every user: login names, mail, display name and memberOf. */
export function userAttributes(config: TDirectoryConfig): string[] {
  return [...new Set([...config.loginAttributes, config.emailAttribute, config.displayNameAttribute, config.groups.memberOfAttribute])];
}

/** The entry as a TDirectoryUser; null when it lacks the username attribute. */
export function toDirectoryUser(entry: LdapEntry, config: TDirectoryConfig): TDirectoryUser | null {
  const login = config.loginAttributes[0] ?? "uid";
  const username = entry.first(login);
  if (!username) return null;
  return { dn: entry.dn, username: username.toLowerCase(), email: entry.first(config.emailAttribute)?.toLowerCase() ?? null, displayName: entry.first(config.displayNameAttribute) };
}

/**
 * The filter for directory users that may use Carve: the configured user filter, minus those the
 * disabled filter matches, optionally narrowed to one login name (escaped per RFC 4515).
 */
export function usersFilter(config: TDirectoryConfig, username?: string): string {
  const parts = [config.userFilter];
  if (username !== undefined) {
    const value = escapeFilterValue(username);
    const alternatives = config.loginAttributes.map((a) => `(${a}=${value})`).join("");
    parts.push(config.loginAttributes.length > 1 ? `(|${alternatives})` : alternatives);
  }
  if (config.disabledFilter) parts.push(`(!${config.disabledFilter})`);
  return `(&${parts.join("")})`;
}

/**
 * A session bound as the service account, ready to search. Without a service account
 * (userDnTemplate mode) the session is unauthenticated until a user binds on it.
 */
export async function openServiceSession(directory: TDirectory, timeoutMs: number): Promise<LdapSession> {
  const session = await LdapSession.open(directory.config, timeoutMs);
  const { bindDn } = directory.config;
  if (!bindDn) return session;
  const ok = await session.bind(bindDn, directory.bindPassword ?? "").catch(async (error: unknown) => {
    await session.close();
    throw error;
  });
  if (!ok) {
    await session.close();
    throw new CarveError(
      "DIRECTORY_MISCONFIGURED",
      `The directory at ${directory.config.url} refused Carve's service account ${bindDn}${directory.bindPassword ? "" : " (no bind password is saved)"}. Set the right password with 'carve directory set --bind-password-stdin'.`,
    );
  }
  return session;
}

/**
 * The one enabled directory user with this login name, or null. Several matches (a login
 * attribute that is not unique) are treated as none: never guess who someone is.
 */
export async function findDirectoryUser(session: LdapSession, config: TDirectoryConfig, username: string): Promise<LdapEntry | null> {
  const entries = await session.search(config.userBase, usersFilter(config, username), userAttributes(config));
  return entries.length === 1 ? (entries[0] ?? null) : null;
}

/** Every enabled directory user under the user base (paged). */
export async function listDirectoryUsers(session: LdapSession, config: TDirectoryConfig): Promise<LdapEntry[]> {
  return session.search(config.userBase, usersFilter(config), userAttributes(config));
}
