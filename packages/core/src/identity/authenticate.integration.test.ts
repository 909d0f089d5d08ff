import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { createTestCore, type TTestCore } from "../testing/index.ts";
import { authenticate } from "./authenticate.ts";
import { configureDirectory } from "./directory/configure-directory.ts";
import { createLocalUser } from "./create-local-user.ts";
import { withIdentity, type TIdentityDeps } from "./identity-options.ts";
import { operatorActor } from "./operator-actor.ts";
import { setUserEnabled } from "./set-user-enabled.ts";

let core: TTestCore;
let deps: TIdentityDeps;
const FLOOR_MS = 50;
beforeEach(async () => {
  core = await createTestCore();
  deps = withIdentity(core, { failureFloorMs: FLOOR_MS, throttle: { maxFailuresPerUser: 3, maxFailuresPerAddress: 6, windowMs: 2_000 }, secretKey: Buffer.alloc(32, 7) });
});
afterEach(async () => {
  await core.drop();
});

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CarveError);
  return error as CarveError;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

async function addLocal(username: string, password: string, role: "Admin" | "User" = "User") {
  return createLocalUser(deps, await operatorActor(deps), { username, password, role });
}

describe("authenticate with local accounts", () => {
  it("signs a local user in, returning the actor and the session epoch, and records when; user rows come without the hash", async () => {
    await addLocal("ops", "correct horse battery", "Admin");
    const [{ actor, user }, ms] = await timed(() => authenticate(deps, { username: "OPS", password: "correct horse battery", clientAddr: "10.0.0.1" }));
    expect(actor).toMatchObject({ kind: "user", username: "ops", role: "Admin", via: "portal" });
    expect(user).toMatchObject({ source: "Local" });
    const row = await core.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.lastLoginAt).not.toBeNull();
    // The hash is read only where a password is checked (Db's omit): a plain query never carries it.
    expect(row).not.toHaveProperty("passwordHash");
    expect(await core.db.auditEntry.count({ where: { action: "auth.login", outcome: "ok", actorId: user.id, clientAddr: "10.0.0.1" } })).toBe(1);
    console.log(`local sign-in: ${ms.toFixed(0)} ms`);
  });

  it("answers an unknown user and a wrong password identically, after the same minimum time", async () => {
    await addLocal("ops", "correct horse battery");
    const [unknown, unknownMs] = await timed(() => refusal(authenticate(deps, { username: "nobody", password: "whatever-1234" })));
    const [wrong, wrongMs] = await timed(() => refusal(authenticate(deps, { username: "ops", password: "wrong password!" })));
    expect(unknown.code).toBe("INVALID_CREDENTIALS");
    expect(wrong.toJSON()).toEqual(unknown.toJSON());
    expect(unknownMs).toBeGreaterThanOrEqual(FLOOR_MS - 1);
    expect(wrongMs).toBeGreaterThanOrEqual(FLOOR_MS - 1);
    console.log(`failed sign-in: unknown user ${unknownMs.toFixed(0)} ms, wrong password ${wrongMs.toFixed(0)} ms`);
    expect(await core.db.auditEntry.count({ where: { outcome: "refused", actorName: null } })).toBe(2);
  });

  it("refuses an empty password or username before anything else, without counting a failure", async () => {
    await addLocal("ops", "correct horse battery");
    for (const input of [{ username: "ops", password: "" }, { username: "", password: "x" }]) {
      const error = await refusal(authenticate(deps, input));
      expect(error.code).toBe("INVALID_INPUT");
    }
    expect(await core.db.loginThrottle.count()).toBe(0);
  });

  it("never lets anyone in as the built-in operator, which has no password", async () => {
    await operatorActor(deps);
    for (const password of ["operator", "admin", " "]) {
      expect((await refusal(authenticate(deps, { username: "operator", password }))).code).toBe("INVALID_CREDENTIALS");
    }
  });

  it("pauses a username after repeated failures, saying when to retry, and lets it in after the window", async () => {
    await addLocal("ops", "correct horse battery");
    for (let i = 0; i < 3; i++) expect((await refusal(authenticate(deps, { username: "ops", password: `guess-${i}` }))).code).toBe("INVALID_CREDENTIALS");
    const paused = await refusal(authenticate(deps, { username: "ops", password: "correct horse battery" }));
    expect(paused.code).toBe("THROTTLED");
    expect(paused.message).toMatch(/this username from addresses it has not signed in from before\. Try again in [12] s,/);
    // An unknown name is paused the same way: the pause reveals nothing about who exists.
    for (let i = 0; i < 3; i++) await refusal(authenticate(deps, { username: "ghost", password: `guess-${i}` }));
    expect((await refusal(authenticate(deps, { username: "ghost", password: "x" }))).code).toBe("THROTTLED");
    await new Promise((resolve) => setTimeout(resolve, 2_050));
    expect((await authenticate(deps, { username: "ops", password: "correct horse battery" })).actor.username).toBe("ops");
  });

  it("pauses a client address that sprays many usernames, but not other addresses", async () => {
    await addLocal("ops", "correct horse battery");
    for (let i = 0; i < 6; i++) await refusal(authenticate(deps, { username: `user${i}`, password: "x", clientAddr: "192.0.2.9" }));
    const paused = await refusal(authenticate(deps, { username: "ops", password: "correct horse battery", clientAddr: "192.0.2.9" }));
    expect(paused.message).toContain("your network address");
    expect((await authenticate(deps, { username: "ops", password: "correct horse battery", clientAddr: "192.0.2.10" })).actor.username).toBe("ops");
  });

  it("tells a disabled user with the right password that the account is disabled, and others nothing", async () => {
    await addLocal("ops", "correct horse battery");
    await setUserEnabled(deps, await operatorActor(deps), { user: "ops", enabled: false });
    expect((await refusal(authenticate(deps, { username: "ops", password: "correct horse battery" }))).code).toBe("ACCOUNT_DISABLED");
    expect((await refusal(authenticate(deps, { username: "ops", password: "wrong password" }))).code).toBe("INVALID_CREDENTIALS");
  });

  it("keeps signing local users in while the directory is down; directory names get a clear error", async () => {
    await addLocal("ops", "correct horse battery");
    await configureDirectory(deps, await operatorActor(deps), {
      settings: { url: "ldap://127.0.0.1:9", allowInsecure: true, bindDn: "cn=svc,dc=x", userBase: "dc=x" },
      bindPassword: "svc",
    });
    expect((await authenticate(deps, { username: "ops", password: "correct horse battery" })).actor.username).toBe("ops");
    const down = await refusal(authenticate(deps, { username: "alice", password: "whatever" }));
    expect(down.code).toBe("DIRECTORY_UNREACHABLE");
    expect(down.message).toContain("local accounts still can");
  });
});
