import { access } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { attachConsole, cancelHostMaintenance, cancelVmMigration, checkConsoleSession, createOffering, createVm, destroyVm, getVm, migrateVm, openConsole, prepareHostMaintenance, redeemConsoleToken, setMigrationSettings, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { readConsoleLog, waitForConsoleLine } from "../lib/hypervisor/console-log.ts";
import { RfbClient } from "../lib/hypervisor/rfb-client.ts";
import { TINY_BOOT_MARKER, TINY_TICK_PREFIX } from "../lib/hypervisor/tiny-image.ts";
import { useTwoRealHostsSuite, type TTwoRealHosts } from "../lib/hypervisor/two-hosts.ts";
import { virsh, virshMaybe } from "../lib/hypervisor/virsh.ts";
import { until, type Stack } from "../lib/stack/stack.ts";

let stack: Stack;
let admin: TActor;
let dev: TActor;
let two: TTwoRealHosts;

type THost = TTwoRealHosts["hosts"][number];

const userIdOf = (actor: TActor): string => (actor.kind === "user" ? actor.userId : "");

const TICK = new RegExp(`${TINY_TICK_PREFIX} (\\d+)`);

/** The highest tick the guest has printed in a console log (0: none yet). */
async function lastTick(path: string): Promise<number> {
  const ticks = [...(await readConsoleLog(path)).matchAll(new RegExp(TICK, "g"))].map((m) => Number(m[1]));
  return ticks.length > 0 ? Math.max(...ticks) : 0;
}

async function hostOf(vmName: string): Promise<{ here: THost; other: THost }> {
  const vm = await getVm(stack.core, admin, { vm: vmName });
  const here = two.hosts.find((h) => h.host.id === vm.host?.id);
  const other = two.hosts.find((h) => h.host.id !== vm.host?.id);
  if (!here || !other) throw new Error(`${vmName} is on no known host`);
  return { here, other };
}

async function bootedVm(name: string, offering: string): Promise<string> {
  const { vm, job } = await createVm(stack.core, dev, { name, template: "tiny", offering });
  expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
  const { here } = await hostOf(name);
  await waitForConsoleLine(here.consoleLog(vm.id), TICK, 90_000);
  return vm.id;
}

/**
 * Live-migrates a booted VM to the other host through Carve and checks what a user would notice:
 * the job succeeds, the domain runs on the target and is gone from the source, and the guest keeps
 * counting on the target's serial console (a later tick, no new boot).
 */
async function migrateAndCheck(name: string, vmId: string, label: string): Promise<THost> {
  const { here, other } = await hostOf(name);
  const before = await lastTick(here.consoleLog(vmId));
  expect(before).toBeGreaterThan(0);
  const started = performance.now();
  const job = await migrateVm(stack.core, admin, { vm: name });
  const done = await stack.finish(admin, job.id, 300_000);
  const totalMs = Math.round(performance.now() - started);
  expect(done.errorMessage).toBeNull();
  expect(done.state).toBe("Succeeded");
  const agentMs = (done.result as { durationMs: number }).durationMs;
  console.info(`[live migration] ${label}: ${here.host.name} → ${other.host.name}: virsh migrate ${agentMs} ms, request → Running on the target ${totalMs} ms`);

  const after = await getVm(stack.core, admin, { vm: name });
  expect(after.state).toBe("Running");
  expect(after.host?.id).toBe(other.host.id);
  expect(await virsh(other.uri, ["domstate", domainName(vmId)])).toBe("running");
  expect(await virshMaybe(here.uri, ["domstate", domainName(vmId)])).toBeNull();
  // The guest goes on counting where it was: a later tick on the target's console, and no boot.
  await until(async () => (await lastTick(other.consoleLog(vmId))) > before + 1, 60_000, `${name} to keep printing on ${other.host.name}`);
  expect(await readConsoleLog(other.consoleLog(vmId))).not.toContain(TINY_BOOT_MARKER);
  return other;
}

useTwoRealHostsSuite(async (suite) => {
  ({ stack, admin, dev, two } = suite);
  // Each agent tells the others how to reach its libvirtd (here: its session daemon's socket) and
  // where QEMU takes the migration stream; restarting them with those settings.
  for (const h of two.hosts) {
    await stack.agents.get(h.host.id)?.stop();
    await stack.startAgent(h.host.id, h.uri, { ...h.agentEnv, CARVE_MIGRATION_URI: h.uri, CARVE_MIGRATION_ADDRESS: "tcp://127.0.0.1" });
  }
  await until(async () => (await stack.core.db.host.count({ where: { migrationUri: null } })) === 0, 30_000, "the hosts' migration URIs");
  await stack.waitForHostsUp();
  await createOffering(stack.core, admin, { name: "tiny-shared", vcpus: 1, memoryMiB: 128, rootDiskGiB: 1 });
  await createOffering(stack.core, admin, { name: "tiny-local", vcpus: 1, memoryMiB: 128, rootDiskGiB: 1 });
  // Where root disks go is an offering setting with no front door yet: set it directly.
  await stack.core.db.serviceOffering.update({ where: { name: "tiny-shared" }, data: { rootScope: "Shared" } });
  await stack.core.db.serviceOffering.update({ where: { name: "tiny-local" }, data: { rootScope: "Local" } });
});

describe("live migration between two real libvirt hosts (QEMU under TCG)", () => {
  it("a running VM on shared storage live-migrates and keeps printing on the target's serial console", async () => {
    const vmId = await bootedVm("mig-shared", "tiny-shared");
    const before = await redeemConsoleToken(stack.core, { token: (await openConsole(stack.core, dev, { vm: "mig-shared" })).token, client: { address: "127.0.0.1", userId: userIdOf(dev) } });
    const target = await migrateAndCheck("mig-shared", vmId, "shared storage (memory only)");
    // The console: the session opened on the source ended with the move; a new one shows the
    // guest's screen from the target (issue 18: "works after a live migration").
    expect(await checkConsoleSession(stack.core, before.sessionId)).toMatchObject({ open: false });
    const link = await openConsole(stack.core, dev, { vm: "mig-shared" });
    const redeemed = await redeemConsoleToken(stack.core, { token: link.token, client: { address: "127.0.0.1", userId: userIdOf(dev) } });
    expect(redeemed.hostId).toBe(target.host.id);
    const screen = await RfbClient.connect(await attachConsole(stack.core, redeemed));
    try {
      await screen.refresh();
      expect(screen.nonBackgroundPixels()).toBeGreaterThan(0);
    } finally {
      screen.close();
    }
    const root = (await getVm(stack.core, admin, { vm: "mig-shared" })).volumes.find((v) => v.kind === "Root");
    expect(root?.pool.id).toBe(two.shared.carvePool.id);
    // Capacity followed it: 1 vCPU and 128 MiB on the target only.
    const rows = await stack.core.db.host.findMany({ select: { id: true, vcpusAllocated: true, memMiBAllocated: true } });
    expect(rows.find((r) => r.id === target.host.id)).toMatchObject({ vcpusAllocated: 1, memMiBAllocated: 128 });
    expect(rows.find((r) => r.id !== target.host.id)).toMatchObject({ vcpusAllocated: 0, memMiBAllocated: 0 });
  }, 300_000);

  it("a running VM with its root disk on local storage migrates with the disk copied (copy-storage) into the target's local pool", async () => {
    const vmId = await bootedVm("mig-local", "tiny-local");
    const { here } = await hostOf("mig-local");
    const before = (await getVm(stack.core, admin, { vm: "mig-local" })).volumes.find((v) => v.kind === "Root");
    expect(before?.pool.id).toBe(here.carvePool.id);
    const target = await migrateAndCheck("mig-local", vmId, "local disk copied (copy-storage-all)");
    const root = await stack.core.db.volume.findFirstOrThrow({ where: { vmId, kind: "Root" }, select: { poolId: true, path: true, libvirtName: true } });
    expect(root.poolId).toBe(target.carvePool.id);
    expect(root.path?.startsWith(target.pool.path)).toBe(true);
    await access(root.path ?? "");
    expect(await virsh(target.uri, ["domblklist", domainName(vmId)])).toContain(root.path ?? "-");
  }, 300_000);

  it("maintenance of a host with running VMs empties it into Maintenance; cancel returns it to Up", async () => {
    const { here, other } = await hostOf("mig-shared");
    const ticks = await lastTick(here.consoleLog((await getVm(stack.core, admin, { vm: "mig-shared" })).id));
    const started = performance.now();
    const { job, plan } = await prepareHostMaintenance(stack.core, admin, { host: here.host.name });
    expect(plan.blockers).toEqual([]);
    expect(plan.moves.every((m) => m.kind === "live-migrate" && m.target?.id === other.host.id)).toBe(true);
    const done = await stack.finish(admin, job.id, 600_000);
    console.info(`[live migration] maintenance of ${here.host.name}: ${plan.moves.length} running VM(s) moved in ${Math.round(performance.now() - started)} ms`);
    expect(done.errorMessage).toBeNull();
    expect(done.state).toBe("Succeeded");
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: here.host.id } })).state).toBe("Maintenance");
    expect(await stack.core.db.vm.count({ where: { hostId: here.host.id, state: { not: "Destroyed" } } })).toBe(0);
    const vm = await getVm(stack.core, admin, { vm: "mig-shared" });
    expect(vm).toMatchObject({ state: "Running", host: { id: other.host.id } });
    await until(async () => (await lastTick(other.consoleLog(vm.id))) > ticks, 60_000, "mig-shared to keep printing after maintenance");

    expect((await cancelHostMaintenance(stack.core, admin, { host: here.host.name })).host.state).toBe("Up");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: here.host.id } })).state).toBe("Up");
  }, 600_000);

  it("a slow migration shows its progress, can be cancelled, and is aborted at its timeout: the VM keeps running on its source", async () => {
    const vmId = await bootedVm("mig-slow", "tiny-shared");
    const { here, other } = await hostOf("mig-slow");
    const domain = domainName(vmId);
    // 1 MiB/s: copying 128 MiB of guest memory would take minutes.
    await virsh(here.uri, ["migrate-setspeed", domain, "1"]);

    const job = await migrateVm(stack.core, admin, { vm: "mig-slow" });
    await until(async () => /^migrating: \d+ of \d+ MiB/.test((await stack.core.db.job.findUniqueOrThrow({ where: { id: job.id } })).step ?? ""), 60_000, "the migration to report its progress");
    const running = await stack.core.db.job.findUniqueOrThrow({ where: { id: job.id } });
    console.info(`[live migration] throttled to 1 MiB/s: ${running.progress} % (${running.step})`);
    expect((await getVm(stack.core, admin, { vm: "mig-slow" })).state).toBe("Migrating");
    await cancelVmMigration(stack.core, admin, { vm: "mig-slow" });
    const cancelled = await stack.finish(admin, job.id, 120_000);
    expect(cancelled.state).toBe("Failed");
    expect(cancelled.errorMessage).toMatch(/aborted \(cancelled\); the VM keeps running on this host/);
    const ticks = await lastTick(here.consoleLog(vmId));
    expect(await getVm(stack.core, admin, { vm: "mig-slow" })).toMatchObject({ state: "Running", host: { id: here.host.id } });
    expect(await virsh(here.uri, ["domstate", domain])).toBe("running");
    expect(await virshMaybe(other.uri, ["domstate", domain])).toBeNull();
    await until(async () => (await lastTick(here.consoleLog(vmId))) > ticks, 30_000, "mig-slow to keep printing on its source");

    await setMigrationSettings(stack.core, admin, { timeoutSec: 10 });
    try {
      const started = performance.now();
      const timed = await stack.finish(admin, (await migrateVm(stack.core, admin, { vm: "mig-slow" })).id, 120_000);
      console.info(`[live migration] a 10 s timeout aborted the migration after ${Math.round(performance.now() - started)} ms`);
      expect(timed.state).toBe("Failed");
      expect(timed.errorMessage).toMatch(/took longer than the 10 s migration timeout/);
      expect(await getVm(stack.core, admin, { vm: "mig-slow" })).toMatchObject({ state: "Running", host: { id: here.host.id } });
      expect(await virsh(here.uri, ["domstate", domain])).toBe("running");
    } finally {
      await setMigrationSettings(stack.core, admin, { timeoutSec: 1800 });
    }
    // Nothing is left reserved on the target: only mig-shared and mig-local hold capacity there.
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: other.host.id } })).memMiBAllocated).toBe(256);
    await stack.finish(admin, (await destroyVm(stack.core, admin, { vm: "mig-slow" })).id);
  }, 600_000);
});
