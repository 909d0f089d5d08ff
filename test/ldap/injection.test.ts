// Acceptance 3: usernames with filter and DN special characters never sign anyone else in and
// never make an unhandled error, with a service account (search) or a DN template (direct bind).
import { authenticate, isCarveError } from "@carve/core";
import { describe, expect, it } from "vitest";
import { openLdapSettings, useDirectory, useDirectorySuite } from "../lib/ldap/fixture.ts";
import { OPENLDAP_USERS, PEOPLE_OU } from "../lib/ldap/layouts.ts";

const t = useDirectorySuite({ failureFloorMs: 0 });

const HOSTILE = [
  "*",
  "a*",
  "*)(uid=*",
  "*)(|(uid=*",
  "alice)(|(uid=*",
  "alice)(&",
  "(uid=alice)",
  "alice*",
  "al*ce",
  "\\2a",
  "alice\\00",
  "alice\u0000",
  "\u0000",
  "alice\\",
  "alice\u0000)(uid=*",
  "uid=alice",
  `uid=alice,${PEOPLE_OU}`,
  "alice,ou=People",
  "alice+cn=Alice Liddell",
  '"alice"',
  "<alice>",
  "alice;",
  "#alice",
  " alice",
  "alice ",
  "alice,uid=bob",
  "cn=admin,dc=carve,dc=test",
];

const PASSWORDS = [OPENLDAP_USERS.alice.password, OPENLDAP_USERS.bob.password, "", "*"];

async function attempt(username: string, password: string): Promise<string> {
  try {
    const { actor } = await authenticate(t.id.deps, { username, password });
    return `signed in as ${actor.username}`;
  } catch (error) {
    if (!isCarveError(error)) throw new Error(`unhandled ${String(error)} for ${JSON.stringify(username)}`);
    return error.code;
  }
}

describe.each([
  ["service account search (RFC 4515 filter escaping)", () => openLdapSettings(t.dir)],
  ["DN template bind (RFC 4514 DN escaping)", () => ({ ...openLdapSettings(t.dir), bindDn: undefined, userDnTemplate: `uid={username},${PEOPLE_OU}` })],
])("hostile usernames with %s", (_, settings) => {
  it("never sign anyone else in, and are answered as a plain failed sign-in", async () => {
    await useDirectory(t.id.deps, settings());
    const outcomes = new Map<string, string>();
    for (const username of HOSTILE) {
      for (const password of PASSWORDS) outcomes.set(`${JSON.stringify(username)} / ${password || "(empty)"}`, await attempt(username, password));
    }
    // Only surrounding spaces are forgiven (trimmed, as directories do): that is alice with her own password.
    const signedIn = [...outcomes].filter(([, outcome]) => outcome.startsWith("signed in"));
    expect(signedIn).toEqual([
      ['" alice" / alice-Pass-1', "signed in as alice"],
      ['"alice " / alice-Pass-1', "signed in as alice"],
    ]);
    expect(new Set(outcomes.values())).toEqual(new Set(["INVALID_CREDENTIALS", "INVALID_INPUT", "signed in as alice"]));
    // Empty passwords are refused before any bind (they would be anonymous binds).
    for (const [key, outcome] of outcomes) if (key.endsWith("(empty)")) expect(outcome).toBe("INVALID_INPUT");
    expect((await t.id.core.db.user.findMany({ where: { source: "Ldap" } })).map((u) => u.username)).toEqual(["alice"]);
    // The real users still get in, as themselves.
    expect(await attempt("alice", OPENLDAP_USERS.alice.password)).toBe("signed in as alice");
  });
});
