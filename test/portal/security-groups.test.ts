// Issue 17 (security groups, portal): a user manages their groups on /security-groups (create,
// add a rule through the form, see it listed, a bad port named next to its field, remove it) and
// opens a port from the VM page. No agent is needed: the pages show rules, not traffic.
import { randomBytes } from "node:crypto";
import { createLocalUser, createVm, withIdentity, type TActor } from "@carve/core";
import { seedInfra } from "@carve/core/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalRun, type TPortalRun } from "../lib/portal/portal-session.ts";
import { Stack } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

const DEV = { username: "dana", password: "dana-has-a-long-password-1" };
let stack: Stack;
let run: TPortalRun;
let vmId = "";

beforeAll(async () => {
  stack = await new Stack().init();
  const secretKey = randomBytes(32);
  const ops: TActor = await createUser(stack.core, "ops", "Admin");
  await seedInfra(stack.core, { hosts: 1 });
  const user = await createLocalUser(withIdentity(stack.core, { secretKey }), ops, { username: DEV.username, password: DEV.password, role: "User" });
  vmId = (await createVm(stack.core, { kind: "user", userId: user.id, username: DEV.username, role: "User", via: "cli" }, { name: "web-1", template: "tiny", offering: "small" })).vm.id;
  run = await startPortalRun(stack, secretKey);
}, 600_000);

afterAll(async () => {
  await run?.close();
  await stack?.stop();
});

const rules = (page: Page, group: string) => page.getByRole("table", { name: `Rules of ${group}` });

describe("security groups in the portal", () => {
  it("creates a group, adds a rule through the form (a bad port is named next to its field), lists it and removes it", async () => {
    const { context, page } = await run.signIn(DEV.username, DEV.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security groups" }).click();
    await page.waitForURL(`${run.portal.url}/security-groups`);
    // Every user has a default group: SSH and ping from the company network.
    await expect(rules(page, "default").locator("tbody tr").allTextContents()).resolves.toEqual([expect.stringMatching(/^tcp22company network/), expect.stringMatching(/^icmpallcompany network/)]);

    const create = page.getByRole("form", { name: "Create security group" });
    await create.getByLabel("Name").fill("web");
    await create.getByLabel("Description").fill("web servers");
    await create.getByRole("button", { name: "Create group" }).click();
    await rules(page, "web").waitFor();
    await expect(rules(page, "web").textContent()).resolves.toContain("No rules: nothing may come in");

    await page.getByText("Add a rule to web").click();
    const add = page.getByRole("form", { name: "Add rule to web" });
    await add.getByLabel("Port", { exact: true }).fill("70000");
    await add.getByRole("button", { name: "Add rule" }).click();
    await expect(add.getByRole("alert").textContent()).resolves.toBe("Port must be between 1 and 65535");
    expect(await add.getByLabel("Port", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await stack.core.db.securityGroupRule.count({ where: { group: { name: "web" } } })).toBe(0);

    await add.getByLabel("Port", { exact: true }).fill("8080");
    await add.getByLabel("From").fill("10.1.0.0/16");
    await add.getByRole("button", { name: "Add rule" }).click();
    await rules(page, "web").locator("tbody tr", { hasText: "8080" }).waitFor();
    await expect(rules(page, "web").locator("tbody tr").first().textContent()).resolves.toMatch(/^tcp808010\.1\.0\.0\/16/);
    await run.screenshot(page, "security-groups.png");

    await page.getByRole("button", { name: "Remove rule tcp 8080 from 10.1.0.0/16 of web" }).click();
    await rules(page, "web").locator("tbody tr", { hasText: "8080" }).waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Delete security group web" }).click();
    await rules(page, "web").waitFor({ state: "detached" });
    await context.close();
  });

  it("opens a port from the VM page and lists the VM's own group", async () => {
    const { context, page } = await run.signIn(DEV.username, DEV.password);
    await run.visit(page, `/vms/${vmId}`, "vm-detail");
    const section = page.getByRole("region", { name: "Security groups" });
    await expect(section.locator("[data-vm-security-groups]").textContent()).resolves.toBe("default");
    const open = section.getByRole("form", { name: "Open port" });
    await open.getByLabel("Port").fill("0");
    await open.getByRole("button", { name: "Open port" }).click();
    await expect(open.getByRole("alert").textContent()).resolves.toBe("Port must be between 1 and 65535 (0 is not a port)");
    await open.getByLabel("Port").fill("8080");
    await open.getByRole("button", { name: "Open port" }).click();
    await expect(open.getByRole("status").textContent()).resolves.toBe("web-1: tcp 8080 is open from 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (company network).");
    await section.locator("[data-vm-security-groups]", { hasText: "vm-web-1" }).waitFor({ timeout: 15_000 });
    await expect(section.locator("[data-vm-security-groups]").textContent()).resolves.toBe("default, vm-web-1");
    await run.screenshot(page, "vm-security-groups.png");
    await context.close();
  });
});
