// Acceptance 7: throttling engages after repeated failures and releases after the window; unknown
// users and wrong passwords (local or directory) get the same answer after the same minimum time.
import { authenticate, createLocalUser, operatorActor, type CarveError } from "@carve/core";
import { describe, expect, it } from "vitest";
import { openLdapSettings, useDirectory, useDirectorySuite } from "../lib/ldap/fixture.ts";
import { OPENLDAP_USERS } from "../lib/ldap/layouts.ts";

const WINDOW_MS = 1_500;
const FLOOR_MS = 250;
const t = useDirectorySuite({ failureFloorMs: FLOOR_MS, throttle: { maxFailuresPerUser: 4, maxFailuresPerAddress: 50, windowMs: WINDOW_MS } }, async (id, dir) => {
  await useDirectory(id.deps, openLdapSettings(dir));
  await createLocalUser(id.deps, await operatorActor(id.deps), { username: "breakglass", password: "local and long password" });
});

async function outcome(username: string, password: string, clientAddr = "198.51.100.7"): Promise<{ code: string; message: string; ms: number }> {
  const started = performance.now();
  const result = await authenticate(t.id.deps, { username, password, clientAddr }).then(
    (r) => ({ code: "OK", message: r.actor.username }),
    (e: CarveError) => ({ code: e.code, message: e.message }),
  );
  return { ...result, ms: performance.now() - started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

describe("sign-in throttling against the directory", () => {
  it("pauses a directory username after repeated wrong passwords, even for the right one, then releases it", async () => {
    for (let i = 0; i < 4; i++) expect((await outcome("bob", `wrong-${i}`)).code).toBe("INVALID_CREDENTIALS");
    const paused = await outcome("bob", OPENLDAP_USERS.bob.password);
    expect(paused.code).toBe("THROTTLED");
    expect(paused.message).toMatch(/^Too many failed sign-ins for this username from addresses it has not signed in from before\. Try again in [12] s, /);
    // Another user from the same address is not affected by bob's pause.
    expect((await outcome("alice", OPENLDAP_USERS.alice.password)).code).toBe("OK");
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100));
    expect(await outcome("bob", OPENLDAP_USERS.bob.password)).toMatchObject({ code: "OK", message: "bob" });
  });

  it("answers unknown users and wrong passwords alike, local or directory, and prints the latencies", async () => {
    await outcome("alice", OPENLDAP_USERS.alice.password); // first sign-in creates the account
    const runs = { localOk: [] as number[], ldapOk: [] as number[], unknown: [] as number[], wrongLocal: [] as number[], wrongLdap: [] as number[] };
    const answers = new Set<string>();
    for (let i = 0; i < 3; i++) {
      runs.localOk.push((await outcome("breakglass", "local and long password", `203.0.113.${i}`)).ms);
      runs.ldapOk.push((await outcome("alice", OPENLDAP_USERS.alice.password, `203.0.113.${i}`)).ms);
      for (const [kind, user, password] of [["unknown", `nobody${i}`, "x-password"], ["wrongLocal", "breakglass", `nope-${i}`], ["wrongLdap", "carol", `nope-${i}`]] as const) {
        const r = await outcome(user, password, `203.0.113.${i}`);
        answers.add(`${r.code}: ${r.message}`);
        runs[kind].push(r.ms);
        expect(r.ms).toBeGreaterThanOrEqual(FLOOR_MS - 1);
      }
    }
    expect([...answers]).toEqual(["INVALID_CREDENTIALS: Unknown username or wrong password. Check both and try again."]);
    console.log(
      `median sign-in latency: local ok ${median(runs.localOk).toFixed(0)} ms, LDAPS ok ${median(runs.ldapOk).toFixed(0)} ms; ` +
        `failures (floor ${FLOOR_MS} ms): unknown ${median(runs.unknown).toFixed(0)} ms, wrong local ${median(runs.wrongLocal).toFixed(0)} ms, wrong LDAP ${median(runs.wrongLdap).toFixed(0)} ms`,
    );
  });
});
