import type { TDirectoryConfig } from "./directory-config.ts";
import { escapeFilterValue, firstRdnValue, normalizeDn } from "./ldap-escape.ts";
import type { LdapEntry, LdapSession } from "./ldap-session.ts";

/** A directory group a user belongs to (directly or through nesting). */
export interface TDirectoryGroup {
  dn: string;
  name: string;
}

// Nested groups deeper than this are a loop or a mistake; stop rather than spin.
const MAX_DEPTH = 8;
const IN_CHAIN = "1.2.840.113556.1.4.1941";

/**
 * Reads a user's groups the configured way: their memberOf values, or a search for groups whose
 * member attribute holds their DN (or username); then, if configured, the groups those groups
 * are in (recursively, or in one query with Active Directory's in-chain matching rule).
 * `parents` caches group → parent groups across the users of one sync.
 */
export async function groupsOf(
  session: LdapSession,
  config: TDirectoryConfig,
  user: { entry: LdapEntry; username: string },
  parents: Map<string, TDirectoryGroup[]> = new Map(),
): Promise<TDirectoryGroup[]> {
  const g = config.groups;
  const base = g.base ?? config.userBase;
  if (g.nested === "inChain") {
    const filter = `(&${g.filter}(${g.memberAttribute}:${IN_CHAIN}:=${escapeFilterValue(user.entry.dn)}))`;
    return (await session.search(base, filter, [g.nameAttribute])).map((e) => groupOf(e, config));
  }
  const direct =
    g.mode === "memberOf"
      ? user.entry.all(g.memberOfAttribute).map((dn) => ({ dn, name: firstRdnValue(dn) }))
      : (await session.search(base, memberFilter(config, g.memberValue === "dn" ? user.entry.dn : user.username), [g.nameAttribute])).map((e) => groupOf(e, config));
  if (g.nested === "none") return dedupe(direct);

  const found = new Map(direct.map((group) => [normalizeDn(group.dn), group]));
  let frontier = direct;
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
    const next: TDirectoryGroup[] = [];
    for (const group of frontier) {
      for (const parent of await parentGroups(session, config, group, parents)) {
        const key = normalizeDn(parent.dn);
        if (!found.has(key)) {
          found.set(key, parent);
          next.push(parent);
        }
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

async function parentGroups(session: LdapSession, config: TDirectoryConfig, group: TDirectoryGroup, cache: Map<string, TDirectoryGroup[]>): Promise<TDirectoryGroup[]> {
  const key = normalizeDn(group.dn);
  const cached = cache.get(key);
  if (cached) return cached;
  const g = config.groups;
  const parents =
    g.mode === "memberOf"
      ? (await session.search(group.dn, "(objectClass=*)", [g.memberOfAttribute], "base")).flatMap((e) => e.all(g.memberOfAttribute)).map((dn) => ({ dn, name: firstRdnValue(dn) }))
      : g.memberValue === "dn"
        ? (await session.search(g.base ?? config.userBase, memberFilter(config, group.dn), [g.nameAttribute])).map((e) => groupOf(e, config))
        : [];
  cache.set(key, parents);
  return parents;
}

function memberFilter(config: TDirectoryConfig, value: string): string {
  return `(&${config.groups.filter}(${config.groups.memberAttribute}=${escapeFilterValue(value)}))`;
}

function groupOf(entry: LdapEntry, config: TDirectoryConfig): TDirectoryGroup {
  return { dn: entry.dn, name: entry.first(config.groups.nameAttribute) ?? firstRdnValue(entry.dn) };
}

function dedupe(groups: TDirectoryGroup[]): TDirectoryGroup[] {
  return [...new Map(groups.map((group) => [normalizeDn(group.dn), group])).values()];
}
