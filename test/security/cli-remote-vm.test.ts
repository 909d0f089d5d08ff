// Item 9 of issue 16, the vm and settings commands: after `carve login URL`, `vm stop --force|--grace`,
// `vm destroy --with-volumes`, `vm plan`, `vm migrate|migrate-cancel` and every `settings …` command go
// through /api/v1 as the key's user (audited `via api`) and print what the local CLI prints; the
// admin ones refuse a non-admin's key (403 FORBIDDEN, audited) and change nothing.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createDiskOffering, createVm, readLogLevels, readMigrationSettings, readPlacementSettings, readStorageSettings, readTemplateSettings, setQuota, type TActor } from "@carve/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remotePair, VIA_API } from "../lib/cli/remote-pair.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { Stack } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
let opsActor: TActor;
let bobActor: TActor;
const pair = remotePair(() => stack, () => portal);
const { ops, bob, local: onServer, asBob, expectBobForbidden, auditRows, logIn } = pair;
const api = VIA_API;
const UUID = "[0-9a-f-]{36}";

/** A VM made through core (the CLI's create is not what these tests are about), running. */
async function runningVm(actor: TActor, name: string, dataDisks: { diskOffering: string }[] = []): Promise<string> {
  const { vm, job } = await createVm(stack.core, actor, { name, template: "tiny", offering: "small", dataDisks });
  expect((await stack.finish(actor, job.id)).state).toBe("Succeeded");
  return vm.id;
}

const lastJob = (vmName: string, kind: string) =>
  stack.core.db.job.findFirstOrThrow({ where: { kind, vm: { name: vmName } }, orderBy: { createdAt: "desc" }, select: { id: true, state: true, request: true, actor: { select: { username: true } } } });

beforeAll(async () => {
  stack = await new Stack().init();
  opsActor = await createUser(stack.core, "ops", "Admin");
  bobActor = await createUser(stack.core, "bob", "User");
  await stack.startController();
  // Both hosts can receive live migrations (the test driver on the source then refuses to send one).
  await addTestHosts(stack, opsActor, { count: 2, agentEnv: { CARVE_MIGRATION_URI: "qemu+tcp://127.0.0.1/system" } });
  await createDiskOffering(stack.core, opsActor, { name: "five", sizeGiB: 5, scope: "Local" });
  portal = await startStackPortal(stack, randomBytes(32));
  await logIn(opsActor, bobActor);
}, 900_000);

afterAll(async () => {
  await portal?.stop();
  await stack?.stop();
});

describe("carve vm stop --force|--grace and vm destroy --with-volumes through /api/v1/vms", () => {
  it("stops the key user's VM gracefully with --grace, then at once with --force, as asked", async () => {
    await runningVm(bobActor, "bob-stop");

    const graceful = await bob(["vm", "stop", "bob-stop", "--grace", "5", "--wait", "--timeout", "120"]);
    expect(graceful, graceful.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^job ${UUID} vm\\.stop Succeeded\\n$`)) });
    expect(await lastJob("bob-stop", "vm.stop")).toMatchObject({ state: "Succeeded", request: { payload: { force: false, gracefulTimeoutSec: 5 } }, actor: { username: "bob" } });

    expect(await bob(["vm", "start", "bob-stop", "--wait", "--timeout", "120"])).toMatchObject({ code: 0 });
    const forced = await bob(["vm", "stop", "bob-stop", "--force", "--wait", "--timeout", "120"]);
    expect(forced, forced.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/ vm\.stop Succeeded\n$/) });
    expect(await lastJob("bob-stop", "vm.stop")).toMatchObject({ state: "Succeeded", request: { payload: { force: true } } });

    const tooLong = await bob(["vm", "stop", "bob-stop", "--grace", "7200"]);
    expect(tooLong).toMatchObject({ code: 1, stderr: expect.stringContaining("timeoutSec: must be at most 3600 seconds") });
    expect(await auditRows("vm.stop")).toEqual([
      { actorName: "bob", ...api, outcome: "ok", errorCode: null, targetName: "bob-stop" },
      { actorName: "bob", ...api, outcome: "ok", errorCode: null, targetName: "bob-stop" },
      { actorName: "bob", ...api, outcome: "refused", errorCode: "INVALID_INPUT", targetName: "bob-stop" },
    ]);
  }, 300_000);

  it("destroys a VM keeping its data volumes, or with --with-volumes deleting them too", async () => {
    for (const name of ["bob-keep", "bob-all"]) await runningVm(bobActor, name, [{ diskOffering: "five" }]);
    const kept = await bob(["vm", "destroy", "bob-keep", "--wait", "--timeout", "120"]);
    expect(kept, kept.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/ vm\.destroy Succeeded\n$/) });
    const all = await bob(["vm", "destroy", "bob-all", "--with-volumes", "--wait", "--timeout", "120"]);
    expect(all, all.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/ vm\.destroy Succeeded\n$/) });

    const dataVolumes = await stack.core.db.volume.findMany({ where: { kind: "Data", owner: { username: "bob" } }, orderBy: { createdAt: "asc" }, select: { state: true, vmId: true } });
    expect(dataVolumes).toMatchObject([{ state: "Ready", vmId: null }, { state: "Deleted" }]);
    expect((await auditRows("vm.destroy")).map((r) => [r.actorName, r.via, r.outcome, r.targetName])).toEqual([
      ["bob", "api", "ok", "bob-keep"],
      ["bob", "api", "ok", "bob-all"],
    ]);
  }, 300_000);
});

describe("carve vm plan through /api/v1/placement/plan", () => {
  it("plans as the key's user, printing what the local CLI prints; the user's own quota counts", async () => {
    const remote = await ops(["vm", "plan", "web-9", "--template", "tiny", "--offering", "small"]);
    expect(remote, remote.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^It would go to host host-[12], pool pool-[12]\.\nHOST {2}WHY NOT\n$/) });
    expect(remote.stdout).toBe((await onServer(["vm", "plan", "web-9", "--template", "tiny", "--offering", "small"])).stdout);
    expect(JSON.parse((await ops(["--json", "vm", "plan", "web-9", "--template", "tiny", "--offering", "small"])).stdout)).toMatchObject({ fits: true, host: { name: expect.stringMatching(/^host-[12]$/) }, rejections: [] });

    await setQuota(stack.core, opsActor, { user: "bob", maxVms: 0 });
    const capped = await bob(["--json", "vm", "plan", "web-9", "--template", "tiny", "--offering", "small"]);
    expect(capped.code, capped.stderr).toBe(0);
    expect(JSON.parse(capped.stdout)).toMatchObject({ fits: false, host: null, message: expect.stringContaining("would exceed") });
    await setQuota(stack.core, opsActor, { user: "bob", maxVms: null });

    const unknown = await bob(["vm", "plan", "web-9", "--template", "huge", "--offering", "small"]);
    expect(unknown).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining("huge") });
    expect(await stack.core.db.vm.count({ where: { name: "web-9" } })).toBe(0);
    const rows = await auditRows("vm.plan");
    expect(rows).toContainEqual({ actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "web-9" });
    expect(rows).toContainEqual({ actorName: "bob", ...api, outcome: "ok", errorCode: null, targetName: "web-9" });
    expect(rows.filter((r) => r.outcome === "refused")).toEqual([{ actorName: "bob", ...api, outcome: "refused", errorCode: "TEMPLATE_NOT_FOUND", targetName: "web-9" }]);
  }, 300_000);
});

describe("carve settings … through /api/v1/admin/settings/{group}", () => {
  it("changes and shows each settings group as the admin key's user, as the local CLI prints them", async () => {
    const steps: [string[], string][] = [
      [["settings", "placement", "--policy", "pack", "--pool-threshold", "0.9"], "placement: policy pack, pool threshold 90 %\n"],
      [["settings", "templates", "--allow-host", "images.example.org", "--allow-host", "mirror.example.org:8443", "--allow-private", "--max-bytes", "1048576"], "allowed hosts: images.example.org, mirror.example.org:8443\nprivate and loopback addresses: allowed\nlargest image: 1048576 bytes (1.0 MiB)\n"],
      [["settings", "templates", "--disallow-host", "images.example.org", "--no-allow-private"], "allowed hosts: mirror.example.org:8443\nprivate and loopback addresses: refused\nlargest image: 1048576 bytes (1.0 MiB)\n"],
      [["settings", "migration", "--timeout", "900"], "live migrations time out after 900 s\n"],
      [["settings", "storage", "--migration-bandwidth", "100"], "storage: migration bandwidth 100 MiB/s\n"],
      [["settings", "log-level", "debug", "--process", "controller"], "controller: debug\nagents: LOG_LEVEL (default)\n"],
    ];
    for (const [args, printed] of steps) {
      const run = await ops(args);
      expect(run, `${args.join(" ")}: ${run.stderr}`).toMatchObject({ code: 0, stdout: printed });
    }
    // Without options each only shows, remotely and locally alike: what its last change printed.
    const shown = new Map(steps.map(([args, printed]) => [args[1] ?? "", printed]));
    for (const [group, printed] of shown) expect((await onServer(["settings", group])).stdout, group).toBe(printed);
    expect(await ops(["settings", "placement"])).toMatchObject({ code: 0, stdout: "placement: policy pack, pool threshold 90 %\n" });
    expect(JSON.parse((await ops(["--json", "settings", "log-level"])).stdout)).toEqual({ controller: "debug", agent: null });

    const db = stack.core.db;
    expect(await readPlacementSettings(db)).toEqual({ policy: "pack", poolThreshold: 0.9 });
    expect(await readTemplateSettings(db)).toEqual({ allowedHosts: ["mirror.example.org:8443"], allowPrivateAddresses: false, maxBytes: 1048576 });
    expect(await readMigrationSettings(db)).toEqual({ timeoutSec: 900 });
    expect(await readStorageSettings(db)).toEqual({ migrationBandwidthMiBps: 100 });
    expect(await readLogLevels(db)).toEqual({ controller: "debug", agent: null });
    // Showing changes nothing: one change event per change, none for the reads.
    expect(await db.event.count({ where: { type: "settings.placement" } })).toBe(1);

    const wrong = await ops(["--json", "settings", "placement", "--policy", "diagonal"]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stderr)).toMatchObject({ error: { code: "INVALID_INPUT", fields: [{ field: "policy", message: "must be spread or pack" }] } });
    expect(await readPlacementSettings(db)).toEqual({ policy: "pack", poolThreshold: 0.9 });

    expect((await auditRows("settings.placement")).filter((r) => r.actorName === "ops")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: null },
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: null },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "INVALID_INPUT", targetName: null },
    ]);
    for (const action of ["settings.templates", "settings.migration", "settings.storage", "settings.log-level"]) {
      const rows = (await auditRows(action)).filter((r) => r.actorName === "ops");
      expect(rows.length, action).toBeGreaterThan(0);
      expect(rows.every((r) => r.via === "api" && r.outcome === "ok" && r.osUser === null), action).toBe(true);
    }
  }, 300_000);

  it("refuses a non-admin's key: 403 FORBIDDEN, audited as that user, no setting changed", async () => {
    const before = await stack.core.db.auditEntry.count({ where: { actorName: "bob", outcome: "refused", errorCode: "FORBIDDEN", via: "api", action: { startsWith: "settings." } } });
    const settingsBefore = await stack.core.db.setting.findMany({ orderBy: { key: "asc" }, select: { key: true, value: true } });
    for (const args of [
      ["settings", "placement", "--policy", "spread"],
      ["settings", "templates", "--allow-host", "evil.example.com"],
      ["settings", "migration", "--timeout", "10"],
      ["settings", "storage", "--migration-bandwidth", "0"],
      ["settings", "log-level", "trace"],
    ]) {
      await expectBobForbidden(args);
    }
    for (const [group, body] of [
      ["placement", { policy: "spread" }],
      ["templates", { addAllowedHosts: ["evil.example.com"] }],
      ["migration", { timeoutSec: 10 }],
      ["storage", { migrationBandwidthMiBps: 0 }],
      ["log-level", { level: "trace" }],
    ] as const) {
      expect(await asBob("POST", `/api/v1/admin/settings/${group}`, body), group).toEqual({ status: 403, code: "FORBIDDEN" });
    }
    expect(await stack.core.db.auditEntry.count({ where: { actorName: "bob", outcome: "refused", errorCode: "FORBIDDEN", via: "api", action: { startsWith: "settings." } } })).toBe(before + 10);
    expect(await stack.core.db.setting.findMany({ orderBy: { key: "asc" }, select: { key: true, value: true } })).toEqual(settingsBefore);
    expect(await asBob("POST", "/api/v1/admin/settings/colours", {})).toEqual({ status: 404, code: "NOT_FOUND" });
  }, 300_000);
});

describe("carve vm migrate|migrate-cancel through /api/v1/admin/vms/{id}/…", () => {
  it("refuses a non-admin's key: 403 FORBIDDEN, audited, the VM stays where it is", async () => {
    await runningVm(bobActor, "bob-move");
    const placed = await stack.core.db.vm.findFirstOrThrow({ where: { name: "bob-move" }, select: { state: true, hostId: true } });
    await expectBobForbidden(["vm", "migrate", "bob-move", "--host", "host-2"]);
    await expectBobForbidden(["vm", "migrate-cancel", "bob-move"]);
    expect(await asBob("POST", "/api/v1/admin/vms/bob-move/migrate", { host: "host-2" })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("POST", "/api/v1/admin/vms/bob-move/migrate-cancel")).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await stack.core.db.vm.findFirstOrThrow({ where: { name: "bob-move" }, select: { state: true, hostId: true } })).toEqual(placed);
    expect(await stack.core.db.job.count({ where: { kind: "vm.migrate" } })).toBe(0);
    expect((await auditRows("vm.migrate")).map((r) => [r.actorName, r.via, r.outcome, r.errorCode])).toEqual([
      ["bob", "api", "refused", "FORBIDDEN"],
      ["bob", "api", "refused", "FORBIDDEN"],
    ]);
    expect((await auditRows("vm.migrate-cancel")).map((r) => [r.actorName, r.via, r.outcome, r.errorCode])).toEqual([
      ["bob", "api", "refused", "FORBIDDEN"],
      ["bob", "api", "refused", "FORBIDDEN"],
    ]);
  }, 300_000);

  it("live-migrates as the admin key's user: the job runs on the source host's agent, whose failure is printed", async () => {
    const vm = { id: await runningVm(opsActor, "ops-move") };
    const source = await stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { host: { select: { name: true } } } });
    const target = source.host?.name === "host-1" ? "host-2" : "host-1";

    const moved = await ops(["vm", "migrate", "ops-move", "--host", target, "--wait", "--timeout", "120"]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toMatch(new RegExp(`^live migration of ops-move requested; job ${UUID}\\n`));
    expect(moved.stderr).toContain("libvirt's test driver (test:///) cannot live-migrate a running VM");
    const job = await lastJob("ops-move", "vm.migrate");
    expect(job).toMatchObject({ state: "Failed", actor: { username: "ops" } });
    expect(moved.stderr).toContain(`job ${job.id}`);
    expect(await stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { state: true, host: { select: { name: true } } } })).toEqual({ state: "Running", host: source.host });

    const same = await ops(["vm", "migrate", "ops-move", "--host", source.host?.name ?? ""]);
    expect(same).toMatchObject({ code: 1, stdout: "", stderr: `error: VM ops-move already runs on ${source.host?.name}; name another host, or leave the host out and placement chooses.\n` });
    const cancel = await ops(["vm", "migrate-cancel", "ops-move"]);
    expect(cancel).toMatchObject({ code: 1, stdout: "", stderr: "error: VM ops-move is not live-migrating (it is Running); there is no migration to cancel.\n" });

    expect((await auditRows("vm.migrate")).filter((r) => r.actorName === "ops")).toEqual([
      { actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "ops-move" },
      { actorName: "ops", ...api, outcome: "refused", errorCode: "INVALID_INPUT", targetName: "ops-move" },
    ]);
    expect((await auditRows("vm.migrate-cancel")).filter((r) => r.actorName === "ops")).toEqual([{ actorName: "ops", ...api, outcome: "refused", errorCode: "INVALID_STATE", targetName: "ops-move" }]);
  }, 300_000);

  it("cancels a live migration its source host has not taken up yet: the VM keeps its host", async () => {
    // The source's agent is paused (well within the controller's 30 s heartbeat grace), so the
    // migration job waits in its queue for the cancel; the request goes straight to the route.
    const vm = await stack.core.db.vm.findFirstOrThrow({ where: { name: "ops-move" }, select: { id: true, hostId: true } });
    const agent = stack.agents.get(vm.hostId ?? "");
    agent?.child.kill("SIGSTOP");
    try {
      const res = await fetch(`${portal.url}/api/v1/admin/vms/ops-move/migrate`, { method: "POST", headers: { authorization: `Bearer ${pair.keys.admin}` } });
      expect(res.status).toBe(202);
      const job = await lastJob("ops-move", "vm.migrate");
      expect(await res.json()).toMatchObject({ id: job.id, kind: "vm.migrate", state: "Queued", durationMs: null });
      expect(await stack.core.db.vm.findUniqueOrThrow({ where: { id: vm.id }, select: { state: true } })).toEqual({ state: "Migrating" });

      const cancelled = await ops(["vm", "migrate-cancel", "ops-move"]);
      expect(cancelled, cancelled.stderr).toMatchObject({ code: 0, stdout: `cancel of job ${job.id} requested: ops-move keeps running on its host\n` });
    } finally {
      agent?.child.kill("SIGCONT");
    }
    expect(await stack.core.db.event.count({ where: { type: "vm.migration", vmId: vm.id, message: "cancel of ops-move's live migration requested" } })).toBe(1);
    expect((await auditRows("vm.migrate-cancel")).at(-1)).toEqual({ actorName: "ops", ...api, outcome: "ok", errorCode: null, targetName: "ops-move" });
  }, 300_000);
});
