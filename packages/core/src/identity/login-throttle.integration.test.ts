// The sign-in throttle's policy: a guesser is slowed, but a stranger cannot lock a user out of the
// address they usually sign in from, nor an address out for the users who sign in from it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { unlockSignIn } from "../audit/audited-use-cases.ts";
import { authenticate } from "./authenticate.ts";
import { createLocalUser } from "./create-local-user.ts";
import { withIdentity, type TIdentityDeps } from "./identity-options.ts";
import { operatorActor } from "./operator-actor.ts";

const PASSWORD = "correct horse battery";
const HOME = "198.51.100.20";
let core: TTestCore;
let deps: TIdentityDeps;
let clock: Date;
beforeEach(async () => {
  core = await createTestCore();
  clock = new Date("2026-12-07T12:00:00Z");
  // A clock the test moves: pauses are asserted from the answers, never by sleeping.
  deps = withIdentity({ ...core, now: () => clock }, {
    failureFloorMs: 0,
    secretKey: Buffer.alloc(32, 9),
    throttle: { maxFailuresPerPair: 3, backoffMs: 10_000, maxFailuresPerUser: 5, maxFailuresPerAddress: 8, windowMs: 600_000 },
  });
  await createLocalUser(deps, await operatorActor(deps), { username: "ada", password: PASSWORD });
});
afterEach(async () => {
  await core.drop();
});

/** The code of a sign-in ("OK" when it succeeded) and, when paused, the seconds it says to wait. */
async function attempt(username: string, password: string, clientAddr: string): Promise<{ code: string; retry?: number; message?: string }> {
  return authenticate(deps, { username, password, clientAddr }).then(
    () => ({ code: "OK" }),
    (e: CarveError) => ({ code: e.code, message: e.message, ...(e.code === "THROTTLED" ? { retry: Number(/in (\d+) s/.exec(e.message)?.[1]) } : {}) }),
  );
}
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

describe("sign-in throttle", () => {
  it("backs one username and address off exponentially (a known address too), without touching other addresses", async () => {
    expect((await attempt("ada", PASSWORD, "203.0.113.5")).code).toBe("OK");
    for (let i = 0; i < 3; i++) expect((await attempt("ada", `guess-${i}`, "203.0.113.5")).code).toBe("INVALID_CREDENTIALS");
    const first = await attempt("ada", PASSWORD, "203.0.113.5");
    expect(first).toMatchObject({ code: "THROTTLED", retry: 10 });
    expect(first.message).toContain("from your address");
    later(10_001);
    expect((await attempt("ada", "guess-3", "203.0.113.5")).code).toBe("INVALID_CREDENTIALS");
    expect(await attempt("ada", PASSWORD, "203.0.113.5")).toMatchObject({ code: "THROTTLED", retry: 20 });
    later(20_001);
    expect((await attempt("ada", "guess-4", "203.0.113.5")).code).toBe("INVALID_CREDENTIALS");
    expect(await attempt("ada", PASSWORD, "203.0.113.5")).toMatchObject({ code: "THROTTLED", retry: 40 });
    expect((await attempt("ada", PASSWORD, HOME)).code).toBe("OK");
  });

  it("lets a user in from their usual address while a stranger rotating addresses is paused", async () => {
    expect((await attempt("ada", PASSWORD, HOME)).code).toBe("OK");
    for (let i = 0; i < 5; i++) expect((await attempt("ada", `guess-${i}`, `203.0.113.${i}`)).code).toBe("INVALID_CREDENTIALS");
    const stranger = await attempt("ada", PASSWORD, "203.0.113.99");
    expect(stranger.code).toBe("THROTTLED");
    expect(stranger.message).toContain("from addresses it has not signed in from before");
    expect((await attempt("ada", PASSWORD, HOME)).code).toBe("OK");
  });

  it("pauses an address that sprays usernames only for names never signed in from there", async () => {
    expect((await attempt("ada", PASSWORD, HOME)).code).toBe("OK");
    for (let i = 0; i < 8; i++) await attempt(`user${i}`, "x-password", HOME);
    const spray = await attempt("grace", "x-password", HOME);
    expect(spray.code).toBe("THROTTLED");
    expect(spray.message).toContain("from your network address");
    expect((await attempt("ada", PASSWORD, HOME)).code).toBe("OK");
  });

  it("is cleared by an admin for a username or an address, audited; nobody else may", async () => {
    for (let i = 0; i < 5; i++) await attempt("ada", `guess-${i}`, `203.0.113.${i}`);
    expect((await attempt("ada", PASSWORD, "203.0.113.0")).code).toBe("THROTTLED");
    const someone = await createTestUser(core, "bob", "User");
    await expect(unlockSignIn(deps, someone, { target: "ada" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const admin = await operatorActor(deps);
    expect(await unlockSignIn(deps, admin, { target: " ADA " })).toMatchObject({ kind: "user", target: "ADA", cleared: 6 });
    expect((await attempt("ada", PASSWORD, "203.0.113.0")).code).toBe("OK");

    for (let i = 0; i < 8; i++) await attempt(`user${i}`, "x-password", "2001:db8::7");
    expect((await attempt("grace", "x-password", "2001:db8::7")).code).toBe("THROTTLED");
    expect(await unlockSignIn(deps, admin, { target: "2001:DB8::7" })).toMatchObject({ kind: "address", cleared: 9 });
    expect((await attempt("grace", "x-password", "2001:db8::7")).code).toBe("INVALID_CREDENTIALS");
    expect(await unlockSignIn(deps, admin, { target: "db8::7" })).toMatchObject({ kind: "address", cleared: 0 });

    const rows = await core.db.auditEntry.findMany({ where: { action: "auth.unlock" }, orderBy: { at: "asc" } });
    expect(rows.map((r) => [r.actorName, r.targetName, r.outcome])).toEqual([
      ["bob", "ada", "refused"],
      ["operator", " ADA ", "ok"],
      ["operator", "2001:DB8::7", "ok"],
      ["operator", "db8::7", "ok"],
    ]);
  });
});
