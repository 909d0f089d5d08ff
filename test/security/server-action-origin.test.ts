// Portal server actions follow the REST API's Origin rule: a state-changing request riding on the
// session cookie must come from the portal's own origin. An admin's quota change replayed with no
// Origin, or from another site, is refused with 403 (never 500) and changes nothing; the same
// request from the portal's origin goes through. HSTS is sent when the portal's URL is https.
import { randomBytes } from "node:crypto";
import { createLocalUser, setQuota, type TActor } from "@carve/core";
import type { Request as TBrowserRequest } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalRun, startStackPortal, type TPortalRun } from "../lib/portal/portal-session.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

const PASSWORD = "correct horse battery staple 16";

let stack: Stack;
let run: TPortalRun;
let ops: TActor;
let secretKey: Buffer;

beforeAll(async () => {
  stack = await new Stack().init();
  ops = await createUser(stack.core, "ops", "Admin");
  await createUser(stack.core, "dev", "User");
  secretKey = randomBytes(32);
  await createLocalUser(stack.core, ops, { username: "quota-admin", password: PASSWORD, role: "Admin" });
  run = await startPortalRun(stack, secretKey);
}, 300_000);

afterAll(async () => {
  await run?.close();
  await stack?.stop();
});

async function devMaxVcpus(): Promise<number | null | undefined> {
  const dev = await stack.core.db.user.findUniqueOrThrow({ where: { username: "dev" }, select: { quota: { select: { maxVcpus: true } } } });
  return dev.quota?.maxVcpus;
}

describe("server actions and the Origin rule", () => {
  it("a quota change replayed without Origin or from another site is 403 and changes nothing; from the portal's origin it works", async () => {
    const { context, page } = await run.signIn("quota-admin", PASSWORD);
    await page.goto(`${run.portal.url}/admin/users`);
    const posted = new Promise<TBrowserRequest>((resolve) => page.on("request", (r) => r.method() === "POST" && r.headers()["next-action"] && resolve(r)));
    const form = page.getByRole("form", { name: "Set quota" });
    await form.getByLabel("User or group name").fill("dev");
    await form.getByLabel("Max vCPUs").fill("4");
    await form.getByRole("button", { name: "Save quota" }).click();
    await expect(form.getByRole("status").textContent()).resolves.toMatch(/4 vCPUs/);
    expect(await devMaxVcpus()).toBe(4);

    // The same action, sent again outside the browser with the admin's cookie.
    const action = await posted;
    const headers = Object.fromEntries(Object.entries(await action.allHeaders()).filter(([name]) => !name.startsWith(":") && !["origin", "content-length", "host"].includes(name)));
    expect(headers["cookie"]).toBeTruthy();
    const body = action.postDataBuffer() ?? Buffer.alloc(0);
    const replay = (origin: string | null) => fetch(action.url(), { method: "POST", headers: { ...headers, ...(origin ? { origin } : {}) }, body, redirect: "manual" });
    await setQuota(stack.core, ops, { user: "dev", maxVcpus: 2 });

    for (const origin of [null, "https://attacker.example"]) {
      const res = await replay(origin);
      expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
      expect(await res.text()).toContain("Origin check");
      expect(await devMaxVcpus()).toBe(2);
    }

    const same = await replay(run.portal.url);
    expect(same.status).toBe(200);
    expect(await devMaxVcpus()).toBe(4);

    // A NUL in a form field: the action answers the form's error, nothing changes, and the refusal is audited.
    const withNul = Buffer.from(body.toString("latin1").replace(/(name="[^"]*owner"\r\n\r\n)dev\r\n/, "$1de\u0000v\r\n"), "latin1");
    expect(withNul.equals(body)).toBe(false);
    const refused = await fetch(action.url(), { method: "POST", headers: { ...headers, origin: run.portal.url }, body: withNul, redirect: "manual" });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain("contains a control character (NUL); remove it");
    expect(await devMaxVcpus()).toBe(4);
    const row = await stack.core.db.auditEntry.findFirst({ where: { actorName: "quota-admin", outcome: "refused", errorCode: "INVALID_INPUT" }, orderBy: { id: "desc" } });
    expect(row?.action).toMatch(/quota/);

    // A NUL in a page's address is the 404 page, not an error page.
    const cookie = headers["cookie"] ?? "";
    expect((await fetch(`${run.portal.url}/vms/web-1%00`, { headers: { cookie }, redirect: "manual" })).status).toBe(404);
    await context.close();
  });

  it("a plain cross-site form post to a page is 403, not 500", async () => {
    const res = await fetch(`${run.portal.url}/admin/users`, { method: "POST", headers: { origin: "https://attacker.example", "content-type": "application/x-www-form-urlencoded" }, body: "owner=dev&maxVcpus=99", redirect: "manual" });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("sends Strict-Transport-Security when the portal's URL is https, and not on http", async () => {
    expect((await fetch(`${run.portal.url}/signin`)).headers.get("strict-transport-security")).toBeNull();
    const https = await startStackPortal(stack, secretKey, { NEXTAUTH_URL: "https://carve.example.com" });
    try {
      for (const path of ["/signin", "/api/v1/openapi.json"]) {
        expect((await fetch(`${https.url}${path}`, { redirect: "manual" })).headers.get("strict-transport-security"), path).toMatch(/^max-age=\d{7,}/);
      }
    } finally {
      await https.stop();
    }
  });
});
