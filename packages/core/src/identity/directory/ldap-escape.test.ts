import { describe, expect, it } from "vitest";
import { dnFromTemplate, escapeDnValue, escapeFilterValue, firstRdnValue, normalizeDn } from "./ldap-escape.ts";

describe("LDAP escaping", () => {
  it.each([
    ["*", "\\2a"],
    ["*)(uid=*", "\\2a\\29\\28uid=\\2a"],
    ["a\\b", "a\\5cb"],
    ["nul\u0000x", "nul\\00x"],
    ["alice", "alice"],
    ["émile", "émile"],
  ])("makes filter value %j literal (RFC 4515): %s", (raw, escaped) => {
    expect(escapeFilterValue(raw)).toBe(escaped);
  });

  it.each([
    ['a,b+c"d<e>f;g=h\\i', 'a\\,b\\+c\\"d\\<e\\>f\\;g\\=h\\\\i'],
    ["#hash", "\\#hash"],
    [" lead and trail ", "\\ lead and trail\\ "],
    ["mid#dle", "mid#dle"],
    ["nul\u0000", "nul\\00"],
  ])("makes DN value %j one RDN value (RFC 4514): %s", (raw, escaped) => {
    expect(escapeDnValue(raw)).toBe(escaped);
  });

  it("fills a DN template without letting the username add RDNs", () => {
    expect(dnFromTemplate("uid={username},ou=People,dc=x", "bob,ou=Admins")).toBe("uid=bob\\,ou\\=Admins,ou=People,dc=x");
  });

  it("reads the first RDN value whichever escaping the server used", () => {
    expect(firstRdnValue("cn=Backend,ou=Groups,dc=x")).toBe("Backend");
    expect(firstRdnValue("uid=e\\2Cv\\2Be\\22\\3Cx\\3E\\3B#\\5C,ou=People,dc=x")).toBe('e,v+e"<x>;#\\');
    expect(firstRdnValue("cn=a\\,b,dc=x")).toBe("a,b");
    expect(firstRdnValue("cn=caf\\C3\\A9,dc=x")).toBe("café");
    expect(firstRdnValue('cn="quoted, value",dc=x')).toBe("quoted, value");
  });

  it("compares DNs across case, spacing and escape styles", () => {
    expect(normalizeDn("CN=A\\,B, OU=Groups,DC=x")).toBe(normalizeDn("cn=a\\2Cb,ou=groups,dc=x"));
    expect(normalizeDn("cn=Alice Smith,dc=x")).not.toBe(normalizeDn("cn=AliceSmith,dc=x"));
  });
});
