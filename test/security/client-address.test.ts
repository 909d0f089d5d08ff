// Issue 16, items 3 and 8: the portal takes the client address from the TCP socket (X-Forwarded-For
// only from CARVE_TRUSTED_PROXIES, its right-most untrusted hop); the sign-in throttle cannot be
// evaded by forging that header nor used by a stranger to lock a user out; an admin clears a
// lockout (REST, CLI, portal); and audit rows of sign-ins, REST calls and server actions carry the
// client address and the request id the response carried.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createApiKey, createLocalUser, withIdentity, type TActor, type TIdentityDeps } from "@carve/core";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCarve } from "../../apps/cli/src/testing/run-carve.ts";
import { signInOverHttp } from "../lib/portal/http-sign-in.ts";
import { buildPortal, launchChromium, startPortal, type TPortal } from "../lib/portal/portal-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

const PASSWORD = "correct horse battery staple";
let stack: Stack;
let identity: TIdentityDeps;
let ops: TActor;
/** The portal reached directly (no proxy trusted). */
let direct: TPortal;
/** The portal behind a "proxy" on loopback (CARVE_TRUSTED_PROXIES=127.0.0.1). */
let proxied: TPortal;
let adminKey: string;
let browser: Browser | undefined;

beforeAll(async () => {
  stack = await new Stack().init();
  const secretKey = randomBytes(32);
  identity = withIdentity(stack.core, { secretKey });
  ops = await createUser(stack.core, "ops", "Admin");
  for (const username of ["ada", "dave", "root"]) await createLocalUser(identity, ops, { username, password: PASSWORD, role: username === "root" ? "Admin" : "User" });
  adminKey = (await createApiKey(identity, ops, { name: "unlock", scope: "Write", user: "root" })).key;
  await buildPortal(join(stack.dir, "next-build.log"));
  const env = { DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, CARVE_QUEUE_PREFIX: stack.prefix, CARVE_SECRET_KEY: secretKey.toString("hex"), NEXTAUTH_SECRET: randomBytes(32).toString("base64"), LOG_LEVEL: "warn" };
  [direct, proxied] = await Promise.all([
    startPortal(env, join(stack.dir, "portal-direct.log")),
    startPortal({ ...env, CARVE_TRUSTED_PROXIES: "127.0.0.1" }, join(stack.dir, "portal-proxied.log")),
  ]);
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([direct?.stop(), proxied?.stop()]);
  await stack?.stop();
});

const loginRows = (where: Record<string, unknown>) => stack.core.db.auditEntry.findMany({ where: { action: "auth.login", ...where }, orderBy: { at: "asc" } });
const unlock = (target: string) =>
  fetch(`${direct.url}/api/v1/admin/sign-in-unlock`, { method: "POST", headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, body: JSON.stringify({ target }) });

describe("client address and sign-in throttle", () => {
  it("a rotating forged X-Forwarded-For neither evades the throttle nor reaches the audit trail", async () => {
    const answers: string[] = [];
    for (let i = 0; i < 31; i++) {
      const attempt = await signInOverHttp(direct.url, `nobody${i}`, "guess", { "x-forwarded-for": `203.0.113.${i}`, "x-carve-client-addr": "192.0.2.1" });
      answers.push(attempt.error ?? "OK");
    }
    // 30 failures from one socket address pause it for names never signed in from there.
    expect(answers.slice(0, 30).every((a) => a.startsWith("Unknown username or wrong password"))).toBe(true);
    expect(answers[30]).toMatch(/^Too many failed sign-ins from your network address\. Try again in \d+ s/);
    const rows = await loginRows({ outcome: "refused" });
    expect(rows.map((r) => r.errorCode)).toEqual([...Array<string>(30).fill("INVALID_CREDENTIALS"), "THROTTLED"]);
    expect([...new Set(rows.map((r) => r.clientAddr))]).toEqual(["127.0.0.1"]);
  });

  it("an admin clears an address's lockout through the REST API (documented in OpenAPI)", async () => {
    expect((await signInOverHttp(direct.url, "ada", PASSWORD)).error).toMatch(/^Too many failed sign-ins from your network address/);
    const refused = await fetch(`${direct.url}/api/v1/admin/sign-in-unlock`, {
      method: "POST",
      headers: { authorization: `Bearer ${(await createApiKey(identity, ops, { name: "dev", scope: "Write", user: "ada" })).key}`, "content-type": "application/json" },
      body: JSON.stringify({ target: "127.0.0.1" }),
    });
    expect(refused.status).toBe(403);
    const response = await unlock("127.0.0.1");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ target: "127.0.0.1", kind: "address" });
    expect((await signInOverHttp(direct.url, "ada", PASSWORD)).ok).toBe(true);
    const document = (await (await fetch(`${direct.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(document.paths["/api/v1/admin/sign-in-unlock"]?.["post"]).toBeDefined();
  });

  it("through a trusted proxy, uses the right-most untrusted X-Forwarded-For hop and the proxy's request id", async () => {
    const attempt = await signInOverHttp(proxied.url, "ada", "wrong password", { "x-forwarded-for": "6.6.6.6, 198.51.100.7", "x-request-id": "proxy-req-1" });
    expect(attempt.error).toMatch(/^Unknown username or wrong password/);
    expect(attempt.requestId).toBe("proxy-req-1");
    const [row] = await loginRows({ requestId: "proxy-req-1" });
    expect(row).toMatchObject({ clientAddr: "198.51.100.7", outcome: "refused" });
    // The same headers sent straight to a portal that trusts no proxy prove nothing.
    const directAttempt = await signInOverHttp(direct.url, "ada", "wrong password", { "x-forwarded-for": "6.6.6.6, 198.51.100.7", "x-request-id": "proxy-req-2" });
    expect(directAttempt.requestId).not.toBe("proxy-req-2");
    expect((await loginRows({ requestId: directAttempt.requestId }))[0]).toMatchObject({ clientAddr: "127.0.0.1" });
  });

  it("a stranger's failures from many addresses do not lock out a user signing in from their usual one; the CLI unlocks", async () => {
    const home = { "x-forwarded-for": "198.51.100.20" };
    expect((await signInOverHttp(proxied.url, "dave", PASSWORD, home)).ok).toBe(true);
    for (let i = 0; i < 10; i++) await signInOverHttp(proxied.url, "dave", `guess-${i}`, { "x-forwarded-for": `203.0.113.${100 + i}` });
    const stranger = await signInOverHttp(proxied.url, "dave", PASSWORD, { "x-forwarded-for": "203.0.113.200" });
    expect(stranger.error).toMatch(/^Too many failed sign-ins for this username from addresses it has not signed in from before\. Try again in \d+ s/);
    expect((await signInOverHttp(proxied.url, "dave", PASSWORD, home)).ok).toBe(true);

    const cli = await runCarve({ databaseUrl: stack.databaseUrl, queuePrefix: stack.prefix }, "auth", "unlock", "dave");
    expect(cli).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sign-in lockout of username dave cleared/) });
    expect((await signInOverHttp(proxied.url, "dave", PASSWORD, { "x-forwarded-for": "203.0.113.200" })).ok).toBe(true);
    expect(await stack.core.db.auditEntry.count({ where: { action: "auth.unlock", targetName: "dave", outcome: "ok" } })).toBe(1);
  });
});

describe("audit rows of REST calls and server actions", () => {
  it("a REST call's audit row carries the socket address and the request id it answered with", async () => {
    const response = await unlock("192.0.2.44");
    expect(response.status).toBe(200);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const row = await stack.core.db.auditEntry.findFirstOrThrow({ where: { action: "auth.unlock", targetName: "192.0.2.44" } });
    expect(row).toMatchObject({ via: "api", actorName: "root", clientAddr: "127.0.0.1", requestId });
  });

  it("a portal server action's audit row carries the socket address and the request id it answered with", async () => {
    browser = await launchChromium();
    const page = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": "6.6.6.6" } })).newPage();
    await page.goto(`${direct.url}/signin`);
    await page.getByLabel("Username").fill("root");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${direct.url}/vms`);
    await page.goto(`${direct.url}/admin/users`);
    await page.getByLabel("Username or IP address").fill("ghost-user");
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.request().headers()["next-action"] !== undefined),
      page.getByRole("button", { name: "Clear lockout" }).click(),
    ]);
    await page.getByText("The username ghost-user had no failed sign-ins to clear.").waitFor();
    const requestId = answer.headers()["x-request-id"];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const row = await stack.core.db.auditEntry.findFirstOrThrow({ where: { action: "auth.unlock", targetName: "ghost-user" } });
    expect(row).toMatchObject({ via: "portal", actorName: "root", clientAddr: "127.0.0.1", requestId });
  });
});
