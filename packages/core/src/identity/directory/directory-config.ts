import { z } from "zod";

// Attribute names go into filters unescaped (values never do), so only plain names are allowed.
const ZAttr = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, "must be an LDAP attribute name such as uid or sAMAccountName");
const ZFilter = z.string().max(2000).regex(/^\(.*\)$/s, "must be an LDAP filter in parentheses, e.g. (objectClass=inetOrgPerson)");
const ZDn = z.string().min(3, "must be a DN such as ou=People,dc=example,dc=org").max(1000);

/** Group → role / team mapping, by group name (its cn) or full DN. */
export const ZGroupMapping = z.object({
  group: z.string().min(1, "is required: a group name (cn) or DN").max(1000),
  role: z.enum(["Admin", "User"]).optional(),
  team: z.boolean().optional(),
});

/**
 * Where users and groups are and how to read them. Both OpenLDAP (uid, mail, cn, groupOfNames)
 * and Active Directory (sAMAccountName, userPrincipalName, memberOf) are configuration, see
 * DIRECTORY_PRESETS. The bind password is not here: it is stored encrypted on its own.
 */
export const ZDirectoryConfig = z.object({
  enabled: z.boolean().default(true),
  url: z.string().regex(/^ldaps?:\/\/[^\s/]+\/?$/, "must be ldaps://host[:port] or ldap://host[:port]"),
  /** Upgrade ldap:// with StartTLS before anything is sent. */
  startTls: z.boolean().default(false),
  /** PEM of the CA(s) that signed the server's certificate; the system's CAs when absent. */
  caPem: z.string().max(100_000).regex(/-----BEGIN CERTIFICATE-----/, "must be a PEM certificate").optional(),
  /** Plain ldap:// without StartTLS sends passwords in the clear: refused unless this is true. */
  allowInsecure: z.boolean().default(false),
  /** Service account that searches users and groups; without it users bind via userDnTemplate. */
  bindDn: ZDn.optional(),
  userBase: ZDn,
  userFilter: ZFilter.default("(objectClass=inetOrgPerson)"),
  /** Attributes a user may sign in with; the first one is their Carve username. */
  loginAttributes: z.array(ZAttr).min(1).max(4).default(["uid"]),
  /** Direct bind without a service account, e.g. uid={username},ou=People,dc=example,dc=org. */
  userDnTemplate: z.string().includes("{username}", { message: "must contain {username}" }).max(1000).optional(),
  emailAttribute: ZAttr.default("mail"),
  displayNameAttribute: ZAttr.default("cn"),
  /** Entries matching this are disabled in the directory (AD: userAccountControl bit 2). */
  disabledFilter: ZFilter.optional(),
  groups: z
    .object({
      /** memberOf: read the user's memberOf; search: find groups whose member attribute names the user. */
      mode: z.enum(["memberOf", "search"]).default("memberOf"),
      memberOfAttribute: ZAttr.default("memberOf"),
      base: ZDn.optional(),
      filter: ZFilter.default("(objectClass=groupOfNames)"),
      memberAttribute: ZAttr.default("member"),
      /** What the member attribute holds: the user's DN (member, uniqueMember) or username (memberUid). */
      memberValue: z.enum(["dn", "username"]).default("dn"),
      nameAttribute: ZAttr.default("cn"),
      /** Nested groups: none; recursive (follow groups' own memberships); inChain (AD's LDAP_MATCHING_RULE_IN_CHAIN). */
      nested: z.enum(["none", "recursive", "inChain"]).default("none"),
    })
    .prefault({}),
  groupMappings: z.array(ZGroupMapping).max(500).default([]),
});

export type TDirectoryConfig = z.output<typeof ZDirectoryConfig>;
export type TDirectoryConfigInput = z.input<typeof ZDirectoryConfig>;
export type TGroupMapping = z.output<typeof ZGroupMapping>;

/** Starting points for the two directory families; explicit settings override them. */
export const DIRECTORY_PRESETS = {
  openldap: {
    userFilter: "(objectClass=inetOrgPerson)",
    loginAttributes: ["uid"],
    emailAttribute: "mail",
    displayNameAttribute: "cn",
    groups: { mode: "memberOf", memberAttribute: "member", filter: "(objectClass=groupOfNames)", nameAttribute: "cn", nested: "none" },
  },
  activeDirectory: {
    userFilter: "(&(objectCategory=person)(objectClass=user))",
    loginAttributes: ["sAMAccountName", "userPrincipalName"],
    emailAttribute: "mail",
    displayNameAttribute: "displayName",
    disabledFilter: "(userAccountControl:1.2.840.113556.1.4.803:=2)",
    groups: { mode: "memberOf", memberAttribute: "member", filter: "(objectClass=group)", nameAttribute: "cn", nested: "inChain" },
  },
} as const satisfies Record<string, Partial<TDirectoryConfigInput>>;


/** Why a configuration would send passwords unprotected, or null when it does not. */
export function insecureReason(config: Pick<TDirectoryConfig, "url" | "startTls" | "allowInsecure">): string | null {
  if (config.url.startsWith("ldaps://") || config.startTls || config.allowInsecure) return null;
  return `${config.url} is plain LDAP: passwords would cross the network unencrypted. Use ldaps://, turn on StartTLS, or allow plain LDAP explicitly (allowInsecure) on a trusted network`;
}
