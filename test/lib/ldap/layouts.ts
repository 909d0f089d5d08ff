import { BASE_DN } from "./slapd.ts";
import { rdnValue, toLdif, type TLdifEntry } from "./ldif.ts";

export const SERVICE_DN = `cn=carve-svc,ou=Services,${BASE_DN}`;
export const SERVICE_PASSWORD = "svc-Secret-1";

/** People of the OpenLDAP layout (uid, mail, cn, groupOfNames) and their passwords. */
export const OPENLDAP_USERS = {
  alice: { password: "alice-Pass-1", cn: "Alice Liddell", groups: ["carve-admins", "developers"] },
  bob: { password: "bob-Pass-1", cn: "Bob Builder", groups: ["developers", "team-blue"] },
  carol: { password: "carol-Pass-1", cn: "Carol Danvers", groups: [] as string[] },
  // A legitimate user whose uid holds every DN special character.
  'e,v+e"<x>;#\\': { password: "eve-Pass-1", cn: "Eve Special", groups: ["developers"] },
} as const;

export const PEOPLE_OU = `ou=People,${BASE_DN}`;
export const GROUPS_OU = `ou=Groups,${BASE_DN}`;
export const AD_USERS_OU = `ou=Users,ou=Corp,${BASE_DN}`;
export const AD_GROUPS_OU = `ou=Groups,ou=Corp,${BASE_DN}`;

export const personDn = (uid: string) => `uid=${rdnValue(uid)},${PEOPLE_OU}`;
export const adUserDn = (cn: string) => `cn=${rdnValue(cn)},${AD_USERS_OU}`;

/** AD-like people: sAMAccountName, userPrincipalName, userAccountControl, RDN cn with spaces. */
export const AD_USERS = {
  asmith: { password: "asmith-Pass-1", cn: "Alice Smith", upn: "asmith@corp.test" },
  bjones: { password: "bjones-Pass-1", cn: "Bob Jones", upn: "bjones@corp.test" },
} as const;

const ou = (dn: string): TLdifEntry => ({ dn, attrs: { objectClass: "organizationalUnit", ou: dn.split(",")[0]!.slice(3) } });

function openLdapEntries(): TLdifEntry[] {
  const people = Object.entries(OPENLDAP_USERS).map(([uid, u]) => ({
    dn: personDn(uid),
    attrs: { objectClass: "inetOrgPerson", uid, cn: u.cn, sn: u.cn.split(" ")[1] ?? u.cn, mail: `${uid.replace(/\W/g, "")}@carve.test`, userPassword: u.password },
  }));
  const groupNames = ["carve-admins", "developers", "team-blue"];
  const groups = groupNames.map((name) => ({
    dn: `cn=${name},${GROUPS_OU}`,
    attrs: { objectClass: "groupOfNames", cn: name, member: Object.entries(OPENLDAP_USERS).filter(([, u]) => (u.groups as readonly string[]).includes(name)).map(([uid]) => personDn(uid)) },
  }));
  return [ou(PEOPLE_OU), ou(GROUPS_OU), ...people, ...groups];
}

function adEntries(): TLdifEntry[] {
  const users = Object.entries(AD_USERS).map(([sam, u]) => ({
    dn: adUserDn(u.cn),
    attrs: { objectClass: ["inetOrgPerson", "carveAdUser"], cn: u.cn, sn: u.cn.split(" ")[1] ?? u.cn, sAMAccountName: sam, userPrincipalName: u.upn, mail: u.upn, userAccountControl: "512", userPassword: u.password },
  }));
  const group = (cn: string, members: string[]) => ({ dn: `cn=${cn},${AD_GROUPS_OU}`, attrs: { objectClass: "groupOfNames", cn, member: members } });
  return [
    ou(`ou=Corp,${BASE_DN}`), ou(AD_USERS_OU), ou(AD_GROUPS_OU), ...users,
    group("Carve Admins", [adUserDn("Alice Smith")]),
    group("Backend", [adUserDn("Bob Jones")]),
    // Nested: Bob is in Engineering only through Backend.
    group("Engineering", [`cn=Backend,${AD_GROUPS_OU}`]),
  ];
}

/** The whole test directory: the service account, the OpenLDAP layout and the AD-like one. */
export function directoryLdif(): string {
  return toLdif([
    { dn: BASE_DN, attrs: { objectClass: ["dcObject", "organization"], dc: "carve", o: "Carve test" } },
    ou(`ou=Services,${BASE_DN}`),
    { dn: SERVICE_DN, attrs: { objectClass: ["organizationalRole", "simpleSecurityObject"], cn: "carve-svc", userPassword: SERVICE_PASSWORD } },
    ...openLdapEntries(),
    ...adEntries(),
  ]);
}
