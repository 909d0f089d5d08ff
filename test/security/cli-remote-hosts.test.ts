// Item 9 of issue 16, the host commands: after `carve login URL` with an admin's API key, `carve
// status`, `host add|join-token|remove|inspect`, `host maintenance plan|start|cancel` and `drift
// list|ignore|destroy` go through /api/v1/admin/… as that admin (audited `via api`) and print what
// the local CLI prints; a non-admin's key is refused (403 FORBIDDEN, audited) and changes nothing.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createVm, destroyVm, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remotePair } from "../lib/cli/remote-pair.ts";
import { startStackPortal } from "../lib/portal/portal-session.ts";
import type { TPortal } from "../lib/portal/portal-server.ts";
import { deleteHostRedisUsers, runAgentJoin } from "../lib/stack/join-agent.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let portal: TPortal;
let opsActor: TActor;
/** The Redis address the SERVER tells hosts to join through: the stack's Redis by another name than the CLI's. */
let joinRedis = "";
const { ops, local, asBob, expectBobForbidden, auditRows: auditRowsVia, logIn } = remotePair(() => stack, () => portal);
const auditRows = (action: string) => auditRowsVia(action, "api");
const ok = (targetName: string | null) => ({ actorName: "ops", via: "api", outcome: "ok", errorCode: null, osUser: null, osHost: null, targetName });
const refusedBob = (targetName: string | null) => ({ actorName: "bob", via: "api", outcome: "refused", errorCode: "FORBIDDEN", osUser: null, osHost: null, targetName });

/** Runs each command with bob's key: every one refused with FORBIDDEN, as JSON on stderr. */
async function expectBobRefused(commands: string[][]): Promise<void> {
  for (const args of commands) await expectBobForbidden(args);
}

/** The host's join tokens that still work. */
const liveTokens = (hostId: string) => stack.core.db.oneTimeToken.findMany({ where: { kind: "HostJoin", hostId, usedAt: null, expiresAt: { gt: new Date() } }, select: { hash: true, expiresAt: true } });
const minutesFromNow = (at: Date) => Math.round((at.getTime() - Date.now()) / 60_000);

beforeAll(async () => {
  // No periodic inventory: the drift list changes only when a test inspects a host.
  stack = await new Stack({ controllerEnv: { CARVE_RECONCILE_MS: "3600000" } }).init();
  joinRedis = stack.redisUrl.replace("127.0.0.1", "localhost");
  opsActor = await createUser(stack.core, "ops", "Admin");
  const bobActor = await createUser(stack.core, "bob", "User");
  await stack.startController();
  await addTestHosts(stack, opsActor, { count: 1 });
  portal = await startStackPortal(stack, randomBytes(32), { CARVE_AGENT_REDIS_URL: joinRedis });
  await logIn(opsActor, bobActor);
}, 900_000);

afterAll(async () => {
  await portal?.stop();
  // A joined host's Redis user outlives the stack's database: remove this run's once no controller recreates it.
  await stack?.controller?.stop();
  if (stack) await deleteHostRedisUsers(stack);
  await stack?.stop();
});

/** The heartbeat instants differ from one run to the next; everything else must not. */
const withoutInstants = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, "<instant>");

describe("carve status through /api/v1/admin/status", () => {
  it("prints the local overview for an admin's key; refuses a user's key (403)", async () => {
    await until(async () => (await stack.core.db.job.count({ where: { state: { in: ["Queued", "Running"] } } })) === 0, 60_000, "the set-up's jobs to end");
    const remote = await ops(["status"]);
    expect(remote, remote.stderr).toMatchObject({ code: 0 });
    expect(remote.stdout).toMatch(/^host-1\s+Up\s+0\/16\s+0\/32768\s+\d{4}-\d\d-\d\dT/m);
    expect(remote.stdout).toContain("jobs in flight: 0; failed in the last hour: 0");
    expect(withoutInstants(remote.stdout)).toBe(withoutInstants((await local(["status"])).stdout));
    const json = (await ops(["--json", "status"])).stdout;
    expect(JSON.parse(json)).toMatchObject({ database: "ok", hosts: [{ name: "host-1", state: "Up", vcpus: "0/16" }], jobsInFlight: 0 });
    expect(withoutInstants(json)).toBe(withoutInstants((await local(["--json", "status"])).stdout));

    await expectBobRefused([["status"]]);
    expect(await asBob("GET", "/api/v1/admin/status")).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await auditRows("system.status")).toEqual([ok(null), refusedBob(null), refusedBob(null)]);
  });
});

describe("carve host add|join-token|remove through /api/v1/admin/hosts", () => {
  it("adds a host with the join command the SERVER builds (its Redis address for hosts), which joins it; issues a new token; removes it", async () => {
    const added = await ops(["host", "add", "edge-1", "--uri", "test:///default", "--token-ttl", "2h"]);
    expect(added, added.stderr).toMatchObject({ code: 0 });
    const [first, runThis, command, then] = added.stdout.split("\n");
    const host = await stack.core.db.host.findUniqueOrThrow({ where: { name: "edge-1" } });
    expect(first).toBe(`host edge-1 added (${host.id}); it is Disconnected until its agent joins.`);
    expect(runThis).toMatch(/^Run this on the host, as root, before \d{4}-.*Z \(the token works once and is not shown again\):$/);
    // The portal's CARVE_AGENT_REDIS_URL, not the CLI's REDIS_URL: built on the server.
    const printed = /^ {2}CARVE_JOIN_TOKEN=(carve-join-\S+) carve-agent join --redis (\S+) --uri (\S+) --prefix (\S+)$/.exec(command ?? "");
    expect(printed, command).not.toBeNull();
    const [, token = "", redis, uri = "", prefix] = printed ?? [];
    expect({ redis, uri, prefix }).toEqual({ redis: joinRedis, uri: "test:///default", prefix: stack.prefix });
    expect(then).toBe("then start its agent with 'carve-agent run'. Lost the token? 'carve host join-token edge-1'.");
    expect(host).toMatchObject({ state: "Disconnected", uri: "test:///default", cpuOvercommit: 1, memOvercommit: 1 });
    const [stored] = await liveTokens(host.id);
    expect(minutesFromNow(stored?.expiresAt ?? new Date())).toBe(120);
    // The token is shown once: the database keeps a hash, and no event or audit row holds it.
    expect(stored?.hash).not.toContain(token.slice("carve-join-".length));
    expect(await stack.core.db.event.count({ where: { message: { contains: token } } })).toBe(0);
    expect(await stack.core.db.auditEntry.count({ where: { targetName: { contains: token } } })).toBe(0);

    // The printed command is the one the host runs: it joins.
    const joined = await runAgentJoin(stack, token, uri, join(stack.dir, "edge-1", "agent.json"), { redisUrl: redis });
    expect(joined, joined.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining(`joined as host edge-1 (${host.id})`) });
    expect(await liveTokens(host.id)).toEqual([]);

    const reissued = JSON.parse((await ops(["--json", "host", "join-token", "edge-1", "--token-ttl", "30"])).stdout) as { token: string; joinCommand: string };
    expect(reissued).toMatchObject({ hostId: host.id, hostName: "edge-1", hostUri: "test:///default", expiresAt: expect.stringMatching(/Z$/) });
    expect(reissued.joinCommand).toBe(`CARVE_JOIN_TOKEN=${reissued.token} carve-agent join --redis ${joinRedis} --uri test:///default --prefix ${stack.prefix}`);
    const human = await ops(["host", "join-token", "edge-1"]);
    expect(human, human.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining(`--redis ${joinRedis} --uri test:///default`) });
    // The new token voided the one before it.
    expect((await liveTokens(host.id)).map((t) => minutesFromNow(t.expiresAt))).toEqual([60]);

    expect(await ops(["host", "remove", "edge-1"])).toMatchObject({ code: 0, stdout: "host edge-1 removed. 'carve host add edge-1' brings it back; its agent then joins again.\n" });
    expect(await stack.core.db.host.findUniqueOrThrow({ where: { id: host.id }, select: { state: true, credentialHash: true } })).toEqual({ state: "Removed", credentialHash: null });
    expect(await liveTokens(host.id)).toEqual([]);
    expect(await ops(["host", "remove", "edge-1"])).toMatchObject({ code: 1, stderr: "error: No host 'edge-1'. See the hosts with 'host list'.\n" });

    expect(await auditRows("host.add")).toEqual([ok("edge-1")]);
    expect(await auditRows("host.join-token")).toEqual([ok("edge-1"), ok("edge-1")]);
    expect(await auditRows("host.remove")).toEqual([ok("edge-1"), { ...ok("edge-1"), outcome: "refused", errorCode: "HOST_NOT_FOUND" }]);
  });

  it("refuses a non-admin's key: 403 FORBIDDEN, audited as that user, nothing changed", async () => {
    const before = await stack.core.db.oneTimeToken.count();
    await expectBobRefused([
      ["host", "add", "bobs-host", "--uri", "test:///default"],
      ["host", "join-token", "host-1"],
      ["host", "remove", "host-1"],
    ]);
    expect(await asBob("POST", "/api/v1/admin/hosts", { name: "bobs-host" })).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("DELETE", "/api/v1/admin/hosts/host-1")).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await stack.core.db.host.count({ where: { name: "bobs-host" } })).toBe(0);
    expect(await stack.core.db.host.findUniqueOrThrow({ where: { name: "host-1" }, select: { state: true } })).toEqual({ state: "Up" });
    expect(await stack.core.db.oneTimeToken.count()).toBe(before);
    expect((await auditRows("host.add")).slice(1)).toEqual([refusedBob("bobs-host"), refusedBob("bobs-host")]);
    expect((await auditRows("host.join-token")).slice(2)).toEqual([refusedBob("host-1")]);
    expect((await auditRows("host.remove")).slice(2)).toEqual([refusedBob("host-1"), refusedBob("host-1")]);
  });
});

describe("carve host inspect and carve drift list|ignore|destroy through /api/v1/admin", () => {
  it("inspects a host (the job followed over the API), lists the drift its inventory found, ignores it, then destroys the domain", async () => {
    const { vm, job } = await createVm(stack.core, opsActor, { name: "leftover", template: "tiny", offering: "small" });
    expect((await stack.finish(opsActor, job.id)).state).toBe("Succeeded");
    // Carve forgets the VM as if destroyed while its host was away: the domain stays on host-1.
    await stack.core.db.vm.update({ where: { id: vm.id }, data: { state: "Destroyed", hostId: null, liveName: null, updatedAt: new Date(Date.now() - 3_600_000) } });
    const domain = domainName(vm.id);

    const inspected = await ops(["host", "inspect", "host-1"]);
    expect(inspected, inspected.stderr).toMatchObject({ code: 0 });
    expect(inspected.stdout).toMatch(new RegExp(`^DOMAIN\\s+STATE\\n${domain}\\s+running\\n`));
    expect(inspected.stdout).toMatch(/^POOL\s+VOLUMES\ndefault\s+\S/m);
    const inventory = JSON.parse((await ops(["--json", "host", "inspect", "host-1"])).stdout) as unknown;
    expect(inventory).toMatchObject({ domains: [{ name: domain, state: "running" }], pools: [{ name: "default" }] });
    expect(JSON.parse((await local(["--json", "host", "inspect", "host-1"])).stdout)).toEqual(inventory);
    expect(await stack.core.db.job.count({ where: { kind: "host.inventory", actor: { username: "ops" }, state: "Succeeded" } })).toBe(2);

    // Each inventory is applied after its job ends: wait for the last one's, so the two lists below see the same item.
    const last = await stack.core.db.job.findFirstOrThrow({ where: { kind: "host.inventory" }, orderBy: { createdAt: "desc" }, select: { finishedAt: true } });
    const applied = async () => (await stack.core.db.driftItem.findFirst({ where: { domainName: domain, state: "Open", lastSeenAt: { gte: last.finishedAt ?? new Date() } } })) !== null;
    await until(applied, 30_000, `drift ${domain} to open`);
    const item = await stack.core.db.driftItem.findFirstOrThrow({ where: { domainName: domain } });
    const listed = await ops(["drift", "list"]);
    expect(listed, listed.stderr).toMatchObject({ code: 0 });
    expect(listed.stdout.split("\n")[1]).toMatch(new RegExp(`^${item.id}\\s+host-1\\s+Domain\\s+${domain}\\s+running\\s+Open\\s+\\d{4}-`));
    expect(listed.stdout).toContain(`belongs to VM leftover, which was destroyed in Carve; its domain is still defined.`);
    expect(listed.stdout).toBe((await local(["drift", "list"])).stdout);
    expect((await ops(["--json", "drift", "list"])).stdout).toBe((await local(["--json", "drift", "list"])).stdout);

    expect(await ops(["drift", "ignore", item.id])).toMatchObject({ code: 0, stdout: `drift ${domain} ignored\n` });
    expect(await stack.core.db.driftItem.findUniqueOrThrow({ where: { id: item.id }, select: { state: true } })).toEqual({ state: "Ignored" });
    expect((await ops(["drift", "list"])).stdout).toBe("no drift: every domain on every host is a Carve VM's\n");
    expect((await ops(["drift", "list", "--all"])).stdout).toMatch(new RegExp(`${domain}\\s+running\\s+Ignored`));

    const destroyed = await ops(["drift", "destroy", item.id]);
    expect(destroyed, destroyed.stderr).toMatchObject({ code: 0 });
    const cleanup = await stack.core.db.driftItem.findUniqueOrThrow({ where: { id: item.id }, select: { jobId: true, state: true } });
    expect(destroyed.stdout).toBe(`drift ${item.id} destroyed on its host (job ${cleanup.jobId}); the next reconciliation resolves it\n`);
    expect(await stack.core.db.job.findUniqueOrThrow({ where: { id: cleanup.jobId ?? "" }, select: { kind: true, state: true, actor: { select: { username: true } } } })).toEqual({ kind: "vm.destroy", state: "Succeeded", actor: { username: "ops" } });
    // The domain is gone from the host: the next inventory shows it and resolves the drift.
    const after = await ops(["host", "inspect", "host-1"]);
    expect(after, after.stderr).toMatchObject({ code: 0 });
    expect(after.stdout).not.toContain(domain);
    await until(async () => (await stack.core.db.driftItem.count({ where: { id: item.id, state: "Resolved" } })) === 1, 30_000, `drift ${domain} to be resolved`);

    expect(await auditRows("host.inspect")).toEqual([ok("host-1"), ok("host-1"), ok("host-1")]);
    expect(await auditRows("drift.ignore")).toEqual([ok(item.id)]);
    expect((await auditRows("drift.destroy")).map((r) => [r.actorName, r.outcome])).toEqual([["ops", "ok"]]);
    expect((await auditRows("drift.list"))[0]).toEqual(ok(null));
  }, 300_000);

  it("refuses a non-admin's key: 403 FORBIDDEN, audited as that user, nothing changed", async () => {
    const item = await stack.core.db.driftItem.findFirstOrThrow();
    const jobs = await stack.core.db.job.count();
    await expectBobRefused([["host", "inspect", "host-1"], ["drift", "list"], ["drift", "ignore", item.id], ["drift", "destroy", item.id]]);
    const inventoryJob = await stack.core.db.job.findFirstOrThrow({ where: { kind: "host.inventory", actor: { username: "ops" } } });
    expect(await asBob("GET", `/api/v1/admin/jobs/${inventoryJob.id}/inventory`)).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await asBob("POST", `/api/v1/admin/drift/${item.id}/ignore`)).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await stack.core.db.job.count()).toBe(jobs);
    expect(await stack.core.db.driftItem.findUniqueOrThrow({ where: { id: item.id }, select: { state: true } })).toEqual({ state: "Resolved" });
    expect((await auditRows("host.inspect")).slice(3)).toEqual([refusedBob("host-1")]);
    expect((await auditRows("drift.ignore")).slice(1)).toEqual([refusedBob(item.id), refusedBob(item.id)]);
    expect((await auditRows("drift.destroy")).slice(1).map((r) => [r.actorName, r.outcome, r.errorCode])).toEqual([["bob", "refused", "FORBIDDEN"]]);
    expect((await auditRows("host.inventory")).filter((r) => r.actorName === "bob")).toEqual([refusedBob(inventoryJob.id)]);
  });
});

describe("carve host maintenance plan|start|cancel through /api/v1/admin/hosts/{host}/maintenance", () => {
  it("plans as the local CLI does, starts (followed to Maintenance over the API) and cancels", async () => {
    const { job } = await createVm(stack.core, opsActor, { name: "keeper", template: "tiny", offering: "small" });
    expect((await stack.finish(opsActor, job.id)).state).toBe("Succeeded");
    const plan = await ops(["host", "maintenance", "plan", "host-1"]);
    expect(plan, plan.stderr).toMatchObject({ code: 0 });
    expect(plan.stdout).toContain("0 of 1 VMs on host-1 can leave it; 1 cannot (keeper)");
    expect(plan.stdout).toMatch(/^keeper\s+Running\s+blocked\s+-\s+-\s+\S/m);
    expect(plan.stdout).toBe((await local(["host", "maintenance", "plan", "host-1"])).stdout);
    expect((await ops(["--json", "host", "maintenance", "plan", "host-1"])).stdout).toBe((await local(["--json", "host", "maintenance", "plan", "host-1"])).stdout);
    expect(await stack.core.db.host.findUniqueOrThrow({ where: { name: "host-1" }, select: { state: true } })).toEqual({ state: "Up" });
    expect((await stack.finish(opsActor, (await destroyVm(stack.core, opsActor, { vm: "keeper" })).id)).state).toBe("Succeeded");

    const started = await ops(["host", "maintenance", "start", "host-1", "--wait"]);
    expect(started, started.stderr).toMatchObject({ code: 0 });
    expect(started.stdout).toContain("host-1 has no VMs: it can go into maintenance at once.");
    expect(started.stdout).toMatch(/job \S+ host\.maintenance Succeeded: host-1 is in Maintenance\n$/);
    expect(await stack.core.db.host.findUniqueOrThrow({ where: { name: "host-1" }, select: { state: true } })).toEqual({ state: "Maintenance" });
    expect((await ops(["host", "list"])).stdout).toMatch(/^host-1\s+Maintenance/m);

    const again = await ops(["--json", "host", "maintenance", "start", "host-1"]);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: "INVALID_STATE", message: "Host host-1 is already in Maintenance. Return it to service with 'carve host maintenance cancel host-1'." } });

    expect(await ops(["host", "maintenance", "cancel", "host-1"])).toMatchObject({ code: 0, stdout: "host host-1 is Up\n" });
    expect(await stack.core.db.host.findUniqueOrThrow({ where: { name: "host-1" }, select: { state: true } })).toEqual({ state: "Up" });

    expect((await auditRows("host.maintenance-plan"))[0]).toEqual(ok("host-1"));
    expect(await auditRows("host.maintenance-start")).toEqual([ok("host-1"), { ...ok("host-1"), outcome: "refused", errorCode: "INVALID_STATE" }]);
    expect(await auditRows("host.maintenance-cancel")).toEqual([ok("host-1")]);
  }, 300_000);

  it("refuses a non-admin's key: 403 FORBIDDEN, audited as that user, the host stays in service", async () => {
    await expectBobRefused([
      ["host", "maintenance", "plan", "host-1"],
      ["host", "maintenance", "start", "host-1"],
      ["host", "maintenance", "cancel", "host-1"],
    ]);
    expect(await asBob("POST", "/api/v1/admin/hosts/host-1/maintenance")).toEqual({ status: 403, code: "FORBIDDEN" });
    expect(await stack.core.db.host.findUniqueOrThrow({ where: { name: "host-1" }, select: { state: true } })).toEqual({ state: "Up" });
    expect(await stack.core.db.job.count({ where: { kind: "host.maintenance", actor: { username: "bob" } } })).toBe(0);
    expect((await auditRows("host.maintenance-plan")).filter((r) => r.actorName === "bob")).toEqual([refusedBob("host-1")]);
    expect((await auditRows("host.maintenance-start")).slice(2)).toEqual([refusedBob("host-1"), refusedBob("host-1")]);
    expect((await auditRows("host.maintenance-cancel")).slice(1)).toEqual([refusedBob("host-1")]);
  });
});
