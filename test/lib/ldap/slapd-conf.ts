import { join } from "node:path";
import type { TTestPki } from "./certs.ts";

/**
 * The few Active Directory attributes the AD-like layout needs (OpenLDAP's own msuser.schema
 * also defines memberOf, which clashes with the memberof overlay). Private OIDs, test only.
 */
export const AD_LIKE_SCHEMA = `
attributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.2 NAME 'userPrincipalName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.3 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.55555.2.1 NAME 'carveAdUser' SUP top AUXILIARY
  MAY ( sAMAccountName $ userPrincipalName $ userAccountControl ) )
`;

export interface TSlapdConfOptions {
  dir: string;
  baseDn: string;
  rootDn: string;
  rootPassword: string;
  pki?: TTestPki | undefined;
}

/**
 * slapd.conf for a test server: core, cosine, inetorgperson and nis schemas plus the AD-like
 * one, an mdb database with the memberof overlay, and ACLs shaped like a real directory
 * (passwords only usable to bind; entries readable by the service account and by their owner).
 */
export function slapdConf(o: TSlapdConfOptions): string {
  const tls = o.pki ? [`TLSCACertificateFile ${o.pki.caFile}`, `TLSCertificateFile ${o.pki.certFile}`, `TLSCertificateKeyFile ${o.pki.keyFile}`] : [];
  return [
    "include /etc/ldap/schema/core.schema",
    "include /etc/ldap/schema/cosine.schema",
    "include /etc/ldap/schema/inetorgperson.schema",
    "include /etc/ldap/schema/nis.schema",
    `include ${join(o.dir, "ad-like.schema")}`,
    `pidfile ${join(o.dir, "slapd.pid")}`,
    `argsfile ${join(o.dir, "slapd.args")}`,
    "modulepath /usr/lib/ldap",
    "moduleload back_mdb",
    "moduleload memberof",
    ...tls,
    "database mdb",
    "maxsize 33554432",
    `suffix "${o.baseDn}"`,
    `rootdn "${o.rootDn}"`,
    `rootpw ${o.rootPassword}`,
    `directory ${join(o.dir, "data")}`,
    "index objectClass eq",
    "index uid,cn,sAMAccountName,member eq",
    "overlay memberof",
    "memberof-refint TRUE",
    "access to attrs=userPassword by self write by anonymous auth by * none",
    `access to * by dn.exact="cn=carve-svc,ou=Services,${o.baseDn}" read by self read by * none`,
    "",
  ].join("\n");
}
