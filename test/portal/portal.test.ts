// Issue 5 (first slice): the web portal against the real stack. Directory (LDAP) users sign in to
// the built portal (`next build` + `next start`) through Debian's Chromium; the controller and two
// test-driver agents do the work behind it.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createApiKey, createOffering, createVm, destroyVm } from "@carve/core";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/service.ts";
import { SCREENSHOTS, usePortalSuite } from "../lib/portal/portal-suite.ts";
import { until } from "../lib/stack/stack.ts";

const API_ROOT = join(REPO_ROOT, "apps", "portal", "src", "app", "api", "v1");

const suite = usePortalSuite(async ({ stack, ops }) => {
  await createOffering(stack.core, ops, { name: "huge", vcpus: 64, memoryMiB: 1_048_576, rootDiskGiB: 1 });
});
const { signedIn, userActor } = suite;
const visit = (page: Page, path: string, name: string) => suite.run.visit(page, path, name);

const row = (page: Page, name: string) => page.locator(`tr[data-vm="${name}"]`);

describe("web portal", () => {
  it("a directory user signs in, creates a VM, watches it reach Running without a reload, stops and destroys it", async () => {
    const { context, page } = await signedIn("bob", "sign-in.png");
    const session = (await context.cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    await visit(page, "/vms/new", "create-vm");
    await page.getByLabel("Name").fill("web-1");
    await page.getByLabel("Template").selectOption("tiny");
    await page.getByLabel("Offering").selectOption("small");
    await page.screenshot({ path: join(SCREENSHOTS, "create-vm.png") });
    await page.getByRole("button", { name: "Create VM" }).click();
    // The form gives way to the job's progress; My VMs is one client-side navigation away.
    await page.getByRole("region", { name: "Progress" }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My VMs" }).click();
    await page.waitForURL(`${suite.run.portal.url}/vms`);
    // A marker on the window survives only if the page is never reloaded.
    await page.evaluate(() => Object.assign(globalThis, { carveNoReload: true }));
    await row(page, "web-1").locator('[data-state="Running"]').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (globalThis as { carveNoReload?: boolean }).carveNoReload)).toBe(true);
    await expect(row(page, "web-1").locator("td").nth(3).textContent()).resolves.toMatch(/^host-[12]$/);
    await page.screenshot({ path: join(SCREENSHOTS, "my-vms.png") });

    const vm = await suite.stack.core.db.vm.findFirstOrThrow({ where: { name: "web-1" } });
    await visit(page, `/vms/${vm.id}`, "vm-detail");
    await page.getByRole("heading", { name: /web-1/ }).locator('[data-state="Running"]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "vm-detail.png") });

    await visit(page, "/vms", "my-vms");
    await page.evaluate(() => Object.assign(globalThis, { carveNoReload: true }));
    await page.getByRole("button", { name: "Stop web-1" }).click();
    await row(page, "web-1").locator('[data-state="Stopped"]').waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Destroy web-1" }).click();
    // Nothing happens until the destroy is confirmed.
    expect((await suite.stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe("Stopped");
    await page.getByRole("button", { name: "Yes, destroy web-1" }).click();
    await row(page, "web-1").waitFor({ state: "detached", timeout: 60_000 });
    expect(await page.evaluate(() => (globalThis as { carveNoReload?: boolean }).carveNoReload)).toBe(true);
    expect((await suite.stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe("Destroyed");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${suite.run.portal.url}/signin`);
    await visit(page, "/vms/new", "create-vm-signed-out");
    expect(page.url()).toBe(`${suite.run.portal.url}/signin`);
    await context.close();
  });

  it("tells a user whose password is wrong, from core's identity, and signs nobody in", async () => {
    const context = await suite.run.browser.newContext();
    const page = await context.newPage();
    await visit(page, "/signin", "sign-in");
    await page.getByLabel("Username").fill("carol");
    await page.getByLabel("Password").fill("not-carols-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("#signin-error").textContent()).resolves.toBe("Unknown username or wrong password. Check both and try again.");
    expect(page.url()).toBe(`${suite.run.portal.url}/signin`);
    expect((await context.request.get(`${suite.run.portal.url}/api/v1/vms`)).status()).toBe(401);
    await context.close();
  });

  it("refuses non-admins on the admin page and admin API (403); shows admins the hosts with capacity bars", async () => {
    const { context, page } = await signedIn("carol");
    expect((await visit(page, "/admin/hosts", "admin-hosts-403"))?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Not allowed (403)" }).isVisible()).resolves.toBe(true);
    const api = await context.request.get(`${suite.run.portal.url}/api/v1/hosts`);
    expect(api.status()).toBe(403);
    expect(await api.json()).toMatchObject({ code: "FORBIDDEN" });
    await context.close();

    // One running VM (1 vCPU, 512 MiB) shows on its host's bars.
    const carol = await userActor("carol");
    const { vm, job } = await createVm(suite.stack.core, carol, { name: "load-1", template: "tiny", offering: "small" });
    await suite.stack.finish(carol, job.id);
    const host = (await suite.stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { host: { select: { name: true } } } })).host?.name ?? "";

    const admin = await signedIn("alice");
    expect((await visit(admin.page, "/admin/hosts", "admin-hosts"))?.status()).toBe(200);
    expect(await admin.page.getByRole("meter").count()).toBe(4);
    const vcpus = admin.page.getByRole("meter", { name: `${host} vCPUs` });
    await expect(vcpus.getAttribute("aria-valuemax")).resolves.toBe("16");
    await expect(vcpus.getAttribute("aria-valuenow")).resolves.toBe("1");
    await expect(admin.page.getByRole("meter", { name: `${host} memory` }).getAttribute("aria-valuetext")).resolves.toBe("512 of 32768 MiB (2%)");
    await admin.page.screenshot({ path: join(SCREENSHOTS, "admin-hosts.png") });
    await admin.context.close();
    await suite.stack.finish(carol, (await destroyVm(suite.stack.core, carol, { vm: vm.id })).id);
  });

  it("user A cannot see or act on user B's VM through pages or the API", async () => {
    const carol = await signedIn("carol");
    const bob = await userActor("bob");
    const { vm, job } = await createVm(suite.stack.core, bob, { name: "bobs-own", template: "tiny", offering: "small" });
    await suite.stack.finish(bob, job.id);

    await visit(carol.page, "/vms", "my-vms-other-user");
    expect(await row(carol.page, "bobs-own").count()).toBe(0);
    expect((await visit(carol.page, `/vms/${vm.id}`, "vm-detail-404"))?.status()).toBe(404);
    const origin = { origin: suite.run.portal.url };
    const read = await carol.context.request.get(`${suite.run.portal.url}/api/v1/vms/${vm.id}`);
    expect([read.status(), (await read.json()).code]).toEqual([404, "VM_NOT_FOUND"]);
    const stop = await carol.context.request.post(`${suite.run.portal.url}/api/v1/vms/${vm.id}/stop`, { headers: origin });
    expect([stop.status(), (await stop.json()).code]).toEqual([404, "VM_NOT_FOUND"]);
    const destroy = await carol.context.request.delete(`${suite.run.portal.url}/api/v1/vms/${vm.id}`, { headers: origin });
    expect(destroy.status()).toBe(404);
    const jobRead = await carol.context.request.get(`${suite.run.portal.url}/api/v1/jobs/${job.id}`);
    expect(jobRead.status()).toBe(404);

    // The owner's own session is refused without the portal's Origin: another site cannot make the browser act.
    const owner = await signedIn("bob");
    const crossSite = await owner.context.request.delete(`${suite.run.portal.url}/api/v1/vms/${vm.id}`, { headers: { origin: "https://evil.example" } });
    expect([crossSite.status(), (await crossSite.json()).code]).toEqual([403, "FORBIDDEN"]);
    expect((await suite.stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe("Running");
    await suite.stack.finish(bob, (await (await owner.context.request.delete(`${suite.run.portal.url}/api/v1/vms/${vm.id}`, { headers: origin })).json()).id);
    await carol.context.close();
    await owner.context.close();
  });

  it("shows a bad name as it is typed and field errors from core next to their fields, creating nothing; no capacity shows each host's reason", async () => {
    const { context, page } = await signedIn("bob");
    const before = await suite.stack.core.db.vm.count();
    await visit(page, "/vms/new", "create-vm");
    await page.getByLabel("Name").fill("Bad_Name");
    await expect(page.locator("#name-error").textContent()).resolves.toMatch(/must be lowercase letters, digits and hyphens/);
    expect(await page.getByRole("button", { name: "Create VM" }).isDisabled()).toBe(true);

    await page.getByLabel("Name").fill("good-name");
    expect(await page.locator("#name-error").count()).toBe(0);
    await page.getByRole("button", { name: "Create VM" }).click();
    await expect(page.locator("#template-error").textContent()).resolves.toMatch(/^Template is required: choose a template/);
    await expect(page.getByLabel("Template").getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await page.locator("#offering-error").textContent()).toMatch(/^Offering is required/);

    await page.getByLabel("Template").selectOption("tiny");
    await page.getByLabel("Offering").selectOption("huge");
    await page.getByRole("button", { name: "Create VM" }).click();
    const alert = page.locator('.alert[data-code="NO_CAPACITY"]');
    await alert.waitFor();
    const explanation = (await alert.textContent()) ?? "";
    expect(explanation).toMatch(/host-1/);
    expect(explanation).toMatch(/host-2/);
    expect(await suite.stack.core.db.vm.count()).toBe(before);
    await context.close();
  });

  it("drives VMs through /api/v1 with an API key, and documents every route in a valid OpenAPI 3.1 document", async () => {
    const bob = await userActor("bob");
    const { key } = await createApiKey(suite.stack.core, bob, { name: "ci", scope: "Write" });
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${suite.run.portal.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    expect((await fetch(`${suite.run.portal.url}/api/v1/vms`)).status).toBe(401);
    expect(await call("POST", "/api/v1/vms", { name: "API_bad" })).toMatchObject({ status: 400, body: { code: "INVALID_INPUT", fields: expect.arrayContaining([expect.objectContaining({ field: "name" })]) } });

    const created = await call("POST", "/api/v1/vms", { name: "api-1", template: "tiny", offering: "small" });
    // A quick host may already have it Running when the answer is written: the answer is the VM as it is then.
    expect(created).toMatchObject({ status: 202, body: { vm: { name: "api-1", state: expect.stringMatching(/^(Creating|Running)$/) }, job: { kind: "vm.create" } } });
    const vmId: string = created.body["vm"].id;
    await until(async () => (await call("GET", `/api/v1/jobs/${created.body["job"].id}`)).body["state"] === "Succeeded", 60_000, "the create job");
    expect(await call("GET", `/api/v1/vms/${vmId}`)).toMatchObject({ status: 200, body: { id: vmId, state: "Running", actions: ["stop", "reboot", "destroy"] } });
    const first = await call("GET", "/api/v1/vms?limit=1");
    expect(first.body["items"].map((v: { name: string }) => v.name)).toEqual(["api-1"]);
    expect(await call("GET", "/api/v1/vms?limit=0")).toMatchObject({ status: 400, body: { code: "INVALID_INPUT" } });
    expect((await call("GET", "/api/v1/templates")).body["items"].map((t: { name: string }) => t.name)).toEqual(["tiny"]);
    expect((await call("GET", "/api/v1/offerings")).body["items"].map((o: { name: string }) => o.name)).toEqual(["small", "huge"]);
    expect(await call("GET", "/api/v1/hosts")).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });

    const destroyed = await call("DELETE", `/api/v1/vms/${vmId}`);
    expect(destroyed).toMatchObject({ status: 202, body: { kind: "vm.destroy" } });
    await until(async () => (await call("GET", `/api/v1/jobs/${destroyed.body["id"]}`)).body["state"] === "Succeeded", 60_000, "the destroy job");
    expect(await call("GET", `/api/v1/vms/${vmId}`)).toMatchObject({ status: 404, body: { code: "VM_NOT_FOUND" } });

    const page = await fetch(`${suite.run.portal.url}/signin`);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
    expect(page.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);

    const document = (await (await fetch(`${suite.run.portal.url}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    await SwaggerParser.validate(structuredClone(document) as never);
    expect(document.openapi).toBe("3.1.0");
    expect(documented(document.paths)).toEqual(implementedRoutes());
  });

  it("manages a user's API keys and SSH keys on /account, and shows core's refusal of a password reset", async () => {
    const { context, page } = await signedIn("carol");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await page.waitForURL(`${suite.run.portal.url}/account`);
    await page.getByLabel("Key name", { exact: true }).fill("laptop");
    await page.getByLabel("Scope").selectOption("Write");
    await page.getByRole("button", { name: "Create API key" }).click();
    const key = (await page.locator("#new-api-key").textContent()) ?? "";
    expect(key).toMatch(/^carve_[a-z0-9]{12}_/);
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/it will not be shown again/);
    const apiKeyRow = page.locator('tr[data-api-key="laptop"]');
    await expect(apiKeyRow.locator("td").nth(1).textContent()).resolves.toBe(`${key.slice(0, 18)}…`);

    const vms = () => fetch(`${suite.run.portal.url}/api/v1/vms`, { headers: { authorization: `Bearer ${key}` } });
    expect((await vms()).status).toBe(200);
    await visit(page, "/account", "account");
    expect(await page.locator("#new-api-key").count()).toBe(0);
    expect(await page.content()).not.toContain(key);
    await expect(apiKeyRow.locator("td").nth(4).textContent()).resolves.toMatch(/UTC$/);
    await page.getByRole("button", { name: "Revoke API key laptop" }).click();
    await page.getByRole("button", { name: "Revoke API key laptop" }).waitFor({ state: "detached" });
    await expect(apiKeyRow.locator("td").nth(5).textContent()).resolves.toMatch(/^revoked/);
    expect((await vms()).status).toBe(401);

    const keyFile = join(suite.stack.dir, "carol_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "carol@laptop", "-f", keyFile]);
    const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${keyFile}.pub`], { encoding: "utf8" }).split(" ")[1];
    await page.getByLabel("SSH key name").fill("laptop");
    await page.getByLabel("Public key", { exact: true }).fill(readFileSync(`${keyFile}.pub`, "utf8"));
    await page.getByRole("button", { name: "Add SSH key" }).click();
    const sshRow = page.locator('tr[data-ssh-key="laptop"]');
    await expect(sshRow.locator("td").nth(2).textContent()).resolves.toBe(fingerprint);
    await expect(sshRow.locator("td").nth(1).textContent()).resolves.toBe("ssh-ed25519");

    await page.getByLabel("SSH key name").fill("broken");
    await page.getByLabel("Public key", { exact: true }).fill("ssh-ed25519 not*base64 carol@laptop");
    await page.getByRole("button", { name: "Add SSH key" }).click();
    await expect(page.locator("#ssh-public-key-error").textContent()).resolves.toMatch(/^Public key /);
    await expect(page.getByLabel("Public key", { exact: true }).getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(page.getByLabel("Public key", { exact: true }).inputValue()).resolves.toBe("ssh-ed25519 not*base64 carol@laptop");
    expect(await page.locator("tr[data-ssh-key]").count()).toBe(1);
    expect(await suite.stack.core.db.sshKey.count({ where: { user: { username: "carol" } } })).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "account.png"), fullPage: true });
    await page.getByRole("button", { name: "Remove SSH key laptop" }).click();
    await sshRow.waitFor({ state: "detached" });
    expect(await suite.stack.core.db.sshKey.count({ where: { user: { username: "carol" } } })).toBe(0);

    // The test template does not support password reset: core's refusal is shown and nothing is started.
    const carol = await userActor("carol");
    const { vm, job } = await createVm(suite.stack.core, carol, { name: "pw-1", template: "tiny", offering: "small" });
    await suite.stack.finish(carol, job.id);
    const jobs = await suite.stack.core.db.job.count({ where: { vmId: vm.id } });
    await visit(page, `/vms/${vm.id}`, "vm-detail");
    await page.getByRole("button", { name: "Reset password of pw-1" }).click();
    await expect(page.locator('.alert[data-code="GUEST_FEATURE_UNSUPPORTED"]').textContent()).resolves.toMatch(
      /^VM pw-1 cannot have its password reset: its template tiny does not support password reset\./,
    );
    expect(await page.locator("#vm-password").count()).toBe(0);
    expect(await suite.stack.core.db.job.count({ where: { vmId: vm.id } })).toBe(jobs);
    expect(await suite.stack.core.db.passwordReveal.count({ where: { vmId: vm.id } })).toBe(0);
    await context.close();
    await suite.stack.finish(carol, (await destroyVm(suite.stack.core, carol, { vm: vm.id })).id);
  });
});

/** "METHOD /path" of every operation in the document. */
function documented(paths: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)).sort();
}

/** "METHOD /path" of every route handler under apps/portal/src/app/api/v1, read from the files. */
function implementedRoutes(): string[] {
  const files = readdirSync(API_ROOT, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("route.ts"));
  return files
    .flatMap((file) => {
      const path = `/api/v1/${relative(API_ROOT, join(API_ROOT, file)).replace(/\/?route\.ts$/, "")}`.replace(/\[(\w+)\]/g, "{$1}").replace(/\/$/, "");
      const methods = [...readFileSync(join(API_ROOT, file), "utf8").matchAll(/export (?:const|function|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]);
      return methods.map((method) => `${method} ${path}`);
    })
    .sort();
}
