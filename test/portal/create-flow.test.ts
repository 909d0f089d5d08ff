// Issue 5, the developer's side of the portal: Create VM with an SSH key, seeing the quota bars and
// where the VM would go before submitting, then the job's steps until Running; the VM's volumes and
// paged event timeline; My VMs filters; the usage page and /api/v1/usage; the nonce-based CSP; a
// polling page that does not flood the audit trail; the VM's address and its connect line with a
// copy button (issue 17). The real stack, the built portal, Chromium.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { addSshKey, createDiskOffering, createOffering, createVm, setQuota, startVm, stopVm, type TUserActor } from "@carve/core";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOTS, usePortalSuite } from "../lib/portal/portal-suite.ts";
import { addTestNetwork } from "../lib/stack/test-network.ts";

const suite = usePortalSuite(async ({ stack, ops }) => {
  // SSH keys reach a VM through cloud-init.
  await stack.core.db.template.update({ where: { name: "tiny" }, data: { supportsCloudInit: true } });
  await createDiskOffering(stack.core, ops, { name: "scratch", scope: "Local", minSizeGiB: 1, maxSizeGiB: 20, description: "on the VM's host" });
});

/** Every CSP violation or script error any page of this file reported. */
const problems: string[] = [];

function watch(page: Page): void {
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
}

let bob: TUserActor;
let publicKey = "";
let vmId = "";

beforeAll(async () => {
  // The directory user exists in Carve once signed in.
  const { context } = await suite.signedIn("bob");
  await context.close();
  bob = await suite.userActor("bob");
  await setQuota(suite.stack.core, suite.ops, { user: "bob", maxVms: 4, maxVcpus: 8, maxMemMiB: 4096, maxStorGiB: 40 });
  const keyFile = join(suite.stack.dir, "bob_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "bob@laptop", "-f", keyFile]);
  publicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();
  await addSshKey(suite.stack.core, bob, { name: "laptop", publicKey });
}, 60_000);

describe("creating a VM in the portal", () => {
  it("shows the quota bars and the placement before submitting, then the job's steps until Running, with the SSH key sent to the VM", async () => {
    const { context, page } = await suite.signedIn("bob");
    watch(page);
    await suite.run.visit(page, "/vms/new", "create-vm");
    await expect(page.getByRole("meter", { name: "user bob VMs" }).getAttribute("aria-valuetext")).resolves.toBe("0 of 4 in use, 1 with this VM");
    const vcpus = page.getByRole("meter", { name: "user bob vCPUs" });
    await expect(vcpus.getAttribute("aria-valuetext")).resolves.toBe("0 of 8 in use");
    await expect(page.getByRole("region", { name: "Placement" }).textContent()).resolves.toMatch(/Choose a template and an offering/);

    await page.getByLabel("Name").fill("dev-1");
    await page.getByLabel("Template").selectOption("tiny");
    await page.getByLabel("Offering").selectOption("small");
    await page.getByRole("checkbox", { name: /laptop/ }).check();
    // The dry run answers while nothing is submitted: it names the host, and reserves nothing.
    await expect(page.locator("#placement-host").textContent({ timeout: 15_000 })).resolves.toMatch(/^Would run on host host-[12], disk in pool pool-[12]\.$/);
    await expect(vcpus.getAttribute("aria-valuetext")).resolves.toBe("0 of 8 in use, 1 with this VM");
    await expect(page.getByRole("meter", { name: "user bob memory" }).getAttribute("aria-valuetext")).resolves.toBe("0 of 4096 MiB in use, 512 with this VM");
    await expect(page.getByRole("meter", { name: "user bob storage" }).getAttribute("aria-valuetext")).resolves.toBe("0 of 40 GiB in use, 1 with this VM");
    expect(await suite.stack.core.db.vm.count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, "create-vm-preview.png"), fullPage: true });

    // An offering no host can take: the preview explains each host's reason before any submit.
    await createOffering(suite.stack.core, suite.ops, { name: "huge", vcpus: 64, memoryMiB: 1_048_576, rootDiskGiB: 1 });
    await suite.run.visit(page, "/vms/new", "create-vm");
    await page.getByLabel("Name").fill("dev-1");
    await page.getByLabel("Template").selectOption("tiny");
    await page.getByLabel("Offering").selectOption("huge");
    const refusal = page.locator("#placement-refusal");
    await refusal.waitFor({ timeout: 15_000 });
    await expect(refusal.textContent()).resolves.toMatch(/host-1.*host-2|host-2.*host-1/s);
    await expect(page.getByRole("meter", { name: "user bob vCPUs" }).getAttribute("aria-valuetext")).resolves.toBe("0 of 8 in use, 64 with this VM");

    await page.getByLabel("Offering").selectOption("small");
    await page.getByRole("checkbox", { name: /laptop/ }).check();
    // A 2 GiB data disk of the custom-size offering: the storage bar counts it with the root disk.
    await page.getByRole("button", { name: "Add a data disk" }).click();
    await expect(page.getByLabel("Disk 1 offering").inputValue()).resolves.toBe("scratch");
    await page.getByLabel("Disk 1 size (GiB)").fill("2");
    await expect(page.getByRole("meter", { name: "user bob storage" }).getAttribute("aria-valuetext")).resolves.toBe("0 of 40 GiB in use, 3 with this VM");
    await page.locator("#placement-host").waitFor({ timeout: 15_000 });
    // The dry run places the data disk too: on the local pool of the host it names.
    const diskPlan = page.locator("#placement-data-disks li", { hasText: "2 GiB scratch" });
    await diskPlan.waitFor({ timeout: 15_000 });
    const planned = (await page.locator("#placement-host").textContent())?.match(/host-(\d)/)?.[1];
    await expect(diskPlan.textContent()).resolves.toBe(`Data disk 1 (2 GiB scratch): pool pool-${planned} (local)`);
    await page.getByRole("button", { name: "Create VM" }).click();
    const progress = page.getByRole("region", { name: "Progress" });
    await progress.waitFor();
    const steps = progress.locator("ol.steps li");
    await steps.last().and(page.locator('[data-step-state="done"]')).waitFor({ timeout: 60_000 });
    expect(await steps.evaluateAll((items) => items.map((li) => li.getAttribute("data-step-state")))).toEqual(["done", "done", "done", "done"]);
    await expect(steps.nth(1).textContent()).resolves.toMatch(/^Placed on host host-[12]$/);
    await expect(progress.getByRole("progressbar", { name: "Job progress" }).getAttribute("aria-valuenow")).resolves.toBe("100");
    await progress.locator('[data-state="Running"]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "create-vm-progress.png"), fullPage: true });

    const vm = await suite.stack.core.db.vm.findFirstOrThrow({ where: { name: "dev-1" }, select: { id: true, activeJobId: true, jobs: { select: { kind: true, request: true } } } });
    vmId = vm.id;
    // The key chosen on the form is the one the VM's cloud-init seed carries.
    expect(JSON.stringify(vm.jobs.find((j) => j.kind === "vm.create")?.request)).toContain(publicKey);

    await progress.getByRole("link", { name: "Open dev-1" }).click();
    await page.waitForURL(`${suite.run.portal.url}/vms/${vm.id}`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the VM's volume and its event timeline, a page at a time, on the page and through the API", async () => {
    // Three stop/start rounds: more events than one page holds.
    for (let round = 0; round < 3; round++) {
      await suite.stack.finish(bob, (await stopVm(suite.stack.core, bob, { vm: vmId })).id);
      await suite.stack.finish(bob, (await startVm(suite.stack.core, bob, { vm: vmId })).id);
    }
    const total = await suite.stack.core.db.event.count({ where: { vmId } });
    expect(total).toBeGreaterThan(10);
    const { context, page } = await suite.signedIn("bob");
    watch(page);
    await suite.run.visit(page, `/vms/${vmId}`, "vm-detail");
    const volumes = page.getByRole("table", { name: "Volumes" });
    await expect(volumes.locator("tr[data-volume]").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent)).sort())).resolves.toEqual([
      ["dev-1-data-1", "Data", "2 GiB"],
      ["dev-1-root", "Root", "1 GiB"],
    ]);
    const events = page.getByRole("list", { name: "Events" }).locator("li");
    expect(await events.count()).toBe(10);
    await expect(events.first().getAttribute("data-to-state")).resolves.toBe("Running");
    while (await page.getByRole("button", { name: "Older events" }).isVisible()) {
      const shown = await events.count();
      await page.getByRole("button", { name: "Older events" }).click();
      await expect.poll(() => events.count()).toBeGreaterThan(shown);
    }
    expect(await events.count()).toBe(total);
    await expect(events.last().textContent()).resolves.toMatch(/dev-1 is being created from tiny \(small\)/);
    await page.screenshot({ path: join(SCREENSHOTS, "vm-detail-timeline.png"), fullPage: true });

    // Detach the data disk of the stopped VM, then attach it again, from the page.
    await suite.stack.finish(bob, (await stopVm(suite.stack.core, bob, { vm: vmId })).id);
    await page.getByRole("heading", { name: /dev-1/ }).locator('[data-state="Stopped"]').waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Detach dev-1-data-1" }).click();
    await volumes.locator('tr[data-volume="dev-1-data-1"]').waitFor({ state: "detached", timeout: 60_000 });
    const { pool } = await suite.stack.core.db.volume.findFirstOrThrow({ where: { name: "dev-1-data-1" }, select: { pool: { select: { name: true } } } });
    const attach = page.getByLabel("Attach a volume");
    const choice = `dev-1-data-1 (2 GiB, ${pool.name})`;
    await expect.poll(() => attach.locator("option").allTextContents(), { timeout: 30_000 }).toContain(choice);
    await attach.selectOption({ label: choice });
    await page.getByRole("button", { name: "Attach", exact: true }).click();
    await volumes.locator('tr[data-volume="dev-1-data-1"] td').nth(4).filter({ hasText: "Attached" }).waitFor({ timeout: 60_000 });
    expect(await suite.stack.core.db.volume.findFirstOrThrow({ where: { name: "dev-1-data-1" }, select: { vmId: true, state: true } })).toEqual({ vmId, state: "Attached" });
    await suite.stack.finish(bob, (await startVm(suite.stack.core, bob, { vm: vmId })).id);

    const first = await context.request.get(`${suite.run.portal.url}/api/v1/vms/${vmId}/events?limit=3`);
    const firstPage = (await first.json()) as { items: { id: string }[]; nextCursor: string | null };
    expect([first.status(), firstPage.items.length]).toEqual([200, 3]);
    const second = (await (await context.request.get(`${suite.run.portal.url}/api/v1/vms/${vmId}/events?limit=3&cursor=${firstPage.nextCursor}`)).json()) as { items: { id: string }[] };
    expect(second.items.map((e) => BigInt(e.id) < BigInt(firstPage.items[2]?.id ?? "0"))).toEqual([true, true, true]);
    // Another user cannot read it.
    const carol = await suite.signedIn("carol");
    const refused = await carol.context.request.get(`${suite.run.portal.url}/api/v1/vms/${vmId}/events`);
    expect([refused.status(), ((await refused.json()) as { code: string }).code]).toEqual([404, "VM_NOT_FOUND"]);
    await carol.context.close();
    expect(problems).toEqual([]);
    await context.close();
  });

  it("filters My VMs by name and state; the 2-second polling leaves one audit row, not one per poll", async () => {
    const { vm, job } = await createVm(suite.stack.core, bob, { name: "other-1", template: "tiny", offering: "small" });
    await suite.stack.finish(bob, job.id);
    await suite.stack.finish(bob, (await stopVm(suite.stack.core, bob, { vm: vm.id })).id);
    const { context, page } = await suite.signedIn("bob");
    watch(page);
    const names = () => page.locator("tr[data-vm]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-vm")));
    await suite.run.visit(page, "/vms", "my-vms");
    expect(await names()).toEqual(["other-1", "dev-1"]);
    await page.getByLabel("Name contains").fill("DEV");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/name=DEV/);
    expect(await names()).toEqual(["dev-1"]);
    await suite.run.visit(page, "/vms?state=Stopped", "my-vms-filtered");
    expect(await names()).toEqual(["other-1"]);
    await expect(page.getByLabel("State").inputValue()).resolves.toBe("Stopped");
    await page.screenshot({ path: join(SCREENSHOTS, "my-vms-filtered.png") });

    const lists = () => suite.stack.core.db.auditEntry.count({ where: { actorName: "bob", action: "vm.list" } });
    const before = await lists();
    // Three polls of the list (every 2 s) on top of the page's own read.
    for (let poll = 0; poll < 3; poll++) await page.waitForResponse((r) => r.url().includes("/api/v1/vms?") && r.status() === 200, { timeout: 10_000 });
    expect(await lists()).toBe(before);
    expect(before).toBeGreaterThanOrEqual(1);
    // A refused read is still recorded every time.
    await context.request.get(`${suite.run.portal.url}/api/v1/vms?limit=0`);
    expect(await suite.stack.core.db.auditEntry.count({ where: { actorName: "bob", action: "vm.list", outcome: "refused" } })).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the user's usage as a chart, and answers it at /api/v1/usage (the user's own only)", async () => {
    const vm = await suite.stack.core.db.vm.findUniqueOrThrow({ where: { id: vmId }, select: { ownerId: true, offeringId: true } });
    const yesterday = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
    await suite.stack.core.db.usageRecord.createMany({
      data: [
        { granularity: "Day", periodStart: yesterday, kind: "VmRunning", subjectId: vmId, dimension: vm.offeringId ?? "", ownerId: vm.ownerId, offeringId: vm.offeringId, durationMs: 3n * 3_600_000n },
        { granularity: "Day", periodStart: yesterday, kind: "VmAllocated", subjectId: vmId, dimension: vm.offeringId ?? "", ownerId: vm.ownerId, offeringId: vm.offeringId, durationMs: 3_600_000n },
      ],
    });
    const { context, page } = await suite.signedIn("bob");
    watch(page);
    await suite.run.visit(page, "/usage", "usage");
    await expect(page.locator("#total-running").textContent()).resolves.toBe("3 VM-hours");
    await expect(page.locator("#total-allocated").textContent()).resolves.toBe("1 VM-hours");
    const bars = page.locator(`g[data-period="${yesterday.toISOString()}"] rect`);
    const heights = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute("height"))));
    expect(heights).toHaveLength(2);
    expect(heights[0]).toBeGreaterThan(heights[1] ?? Infinity);
    expect(await page.locator("figure.chart g[data-period]").count()).toBe(14);
    await page.screenshot({ path: join(SCREENSHOTS, "usage.png"), fullPage: true });

    const api = await context.request.get(`${suite.run.portal.url}/api/v1/usage?periods=7`);
    const usage = (await api.json()) as { periods: { periodStart: string; runningHours: number }[]; totals: { runningHours: number } };
    expect(api.status()).toBe(200);
    expect(usage.periods).toHaveLength(7);
    expect(usage.periods.find((p) => p.periodStart === yesterday.toISOString())?.runningHours).toBe(3);
    expect(usage.totals.runningHours).toBe(3);
    expect((await context.request.get(`${suite.run.portal.url}/api/v1/usage?periods=0`)).status()).toBe(400);
    const carol = await suite.signedIn("carol");
    const theirs = (await (await carol.context.request.get(`${suite.run.portal.url}/api/v1/usage`)).json()) as { totals: { runningHours: number } };
    expect(theirs.totals.runningHours).toBe(0);
    await carol.context.close();
    expect(problems).toEqual([]);
    await context.close();
  });

  it("pages every list of the REST API the same way: items and nextCursor", async () => {
    const { context } = await suite.signedIn("bob");
    const get = async (path: string) => (await (await context.request.get(`${suite.run.portal.url}${path}`)).json()) as { items: { id: string; name: string }[]; nextCursor: string | null };
    for (const list of ["/api/v1/vms", "/api/v1/offerings"]) {
      const first = await get(`${list}?limit=1`);
      expect(first.items).toHaveLength(1);
      expect(first.nextCursor).toBe(first.items[0]?.id);
      const second = await get(`${list}?limit=1&cursor=${first.nextCursor}`);
      expect(second.items.map((i) => i.name)).not.toEqual(first.items.map((i) => i.name));
    }
    expect((await get("/api/v1/offerings?limit=50")).nextCursor).toBeNull();
    expect((await context.request.get(`${suite.run.portal.url}/api/v1/templates?cursor=nope`)).status()).toBe(400);
    await context.close();
  });

  it("sends a Content-Security-Policy with a fresh script nonce per page and no 'unsafe-inline' for scripts", async () => {
    const policy = async () => {
      const response = await fetch(`${suite.run.portal.url}/signin`);
      const header = response.headers.get("content-security-policy") ?? "";
      return { header, html: await response.text() };
    };
    const [a, b] = [await policy(), await policy()];
    const scriptSrc = (header: string) => header.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src")) ?? "";
    const nonce = (header: string) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(scriptSrc(header))?.[1];
    expect(nonce(a.header)).toBeDefined();
    expect(nonce(a.header)).not.toBe(nonce(b.header));
    expect(scriptSrc(a.header)).not.toContain("'unsafe-inline'");
    expect(a.header).toMatch(/frame-ancestors 'none'/);
    // Every script of the page carries this response's nonce.
    const scripts = [...a.html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce(a.header)}"`))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("shows the address Carve allocated in My VMs and on the VM page, with the connect line that Copy copies (or selects, without a clipboard)", async () => {
    // From now on VMs get a NIC on the default network, with an address and a DNS name.
    await addTestNetwork(suite.stack, suite.ops, { hosts: ["host-1", "host-2"], dnsDomain: "dev.example.com" });
    const { vm, job } = await createVm(suite.stack.core, bob, { name: "net-1", template: "tiny", offering: "small" });
    await suite.stack.finish(bob, job.id);
    const nic = await suite.stack.core.db.nic.findFirstOrThrow({ where: { vmId: vm.id }, select: { ip: true, mac: true } });
    expect(nic.ip).toMatch(/^10\.77\.0\.\d+$/);
    const command = "ssh root@net-1.dev.example.com";

    const { context, page } = await suite.signedIn("bob");
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: suite.run.portal.url });
    watch(page);
    await suite.run.visit(page, "/vms", "my-vms");
    await expect(page.locator('tr[data-vm="net-1"] td[data-address]').textContent()).resolves.toBe(`${nic.ip}net-1.dev.example.com`);
    // A VM made before the network has no address: a dash, not an empty cell.
    await expect(page.locator('tr[data-vm="dev-1"] td[data-address]').textContent()).resolves.toBe("—");

    await suite.run.visit(page, `/vms/${vm.id}`, "vm-detail");
    const addresses = page.getByRole("table", { name: "Addresses" });
    await expect(addresses.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)))).resolves.toEqual([
      ["dev-lan", nic.ip, "net-1.dev.example.com", nic.mac],
    ]);
    await expect(page.locator("#connect-command").textContent()).resolves.toBe(command);
    const copy = page.getByRole("button", { name: "Copy the connect command of net-1" });
    await copy.click();
    // The label changes once the browser's clipboard write has resolved: later than the click on a busy machine.
    await expect.poll(() => copy.textContent(), { timeout: 5_000 }).toBe("Copied");
    await expect(page.locator("#connect-command-status").textContent()).resolves.toBe("Copied to the clipboard.");
    // The test project has no DOM types: the page evaluates these as text.
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(command);
    await page.screenshot({ path: join(SCREENSHOTS, "vm-connect.png"), fullPage: true });
    // The confirmation is a moment's: the button reads Copy again.
    await expect.poll(() => copy.textContent(), { timeout: 5_000 }).toBe("Copy");

    // The REST API answers the same addresses and connect line.
    const api = (await (await context.request.get(`${suite.run.portal.url}/api/v1/vms/${vm.id}`)).json()) as { addresses: unknown; connect: unknown };
    expect(api.addresses).toEqual([{ network: "dev-lan", mac: nic.mac, ip: nic.ip, hostname: "net-1.dev.example.com" }]);
    expect(api.connect).toEqual({ user: "root", host: "net-1.dev.example.com", command });
    expect(problems).toEqual([]);
    await context.close();

    // A browser without a clipboard (a page over plain http from another machine): Copy selects the line instead.
    const bare = await suite.signedIn("bob");
    await bare.context.addInitScript({ content: "Object.defineProperty(navigator, 'clipboard', { value: undefined });" });
    await suite.run.visit(bare.page, `/vms/${vm.id}`, "vm-detail");
    await bare.page.getByRole("button", { name: "Copy the connect command of net-1" }).click();
    await expect(bare.page.locator("#connect-command-status").textContent()).resolves.toBe("Selected: press Ctrl+C (⌘C) to copy.");
    expect(await bare.page.evaluate("window.getSelection().toString()")).toBe(command);
    await bare.context.close();
  });
});
