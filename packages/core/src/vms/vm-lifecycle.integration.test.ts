import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "./create-vm.ts";
import { destroyVm } from "./destroy-vm.ts";
import { getVm } from "./get-vm.ts";
import { listVms } from "./list-vms.ts";
import { rebootVm } from "./reboot-vm.ts";
import { startVm } from "./start-vm.ts";
import { stopVm } from "./stop-vm.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

/** Plays the agent for a job, then lets the controller's sweep finalise it. */
async function agentAnswers(jobId: string, outcome: { result: unknown } | { reason: string }): Promise<void> {
  core.queues.settle(jobId, outcome);
  await sweepJobs(core);
}

const created = (vmId: string) => ({ result: { vmId, domainUuid: vmId, state: "running", rootVolumePath: `/pool/carve-${vmId}.qcow2` } });
const power = (vmId: string, state: "running" | "stopped") => ({ result: { vmId, state, forced: false } });

async function hostUse() {
  const hosts = await core.db.host.findMany({ orderBy: { name: "asc" } });
  return hosts.reduce((sum, h) => sum + h.vcpusAllocated, 0);
}

async function runningVm(name = "web-1") {
  const alice = await createTestUser(core, "alice");
  await seedInfra(core);
  const { vm, job } = await createVm(core, alice, { name, template: "tiny", offering: "small" });
  await agentAnswers(job.id, created(vm.id));
  return { alice, vm };
}

describe("VM lifecycle", () => {
  it("goes Creating → Running → Stopped → Running → Running (reboot) → Destroyed, with an event per change", async () => {
    const { alice, vm } = await runningVm();
    expect((await getVm(core, alice, { vm: "web-1" })).state).toBe("Running");

    const stop = await stopVm(core, alice, { vm: "web-1" });
    expect((await getVm(core, alice, { vm: vm.id })).state).toBe("Stopping");
    expect(core.queues.jobs.get(stop.id)?.envelope.payload).toMatchObject({ gracefulTimeoutSec: 60, force: false });
    await agentAnswers(stop.id, power(vm.id, "stopped"));
    expect((await getVm(core, alice, { vm: "web-1" })).state).toBe("Stopped");

    const start = await startVm(core, alice, { vm: "web-1" });
    await agentAnswers(start.id, power(vm.id, "running"));
    const reboot = await rebootVm(core, alice, { vm: "web-1" });
    expect((await getVm(core, alice, { vm: "web-1" })).state).toBe("Rebooting");
    await agentAnswers(reboot.id, power(vm.id, "running"));
    expect((await getVm(core, alice, { vm: "web-1" })).state).toBe("Running");
    expect(await hostUse()).toBe(1);

    const destroy = await destroyVm(core, alice, { vm: "web-1" });
    expect(core.queues.jobs.get(destroy.id)?.envelope.payload).toMatchObject({ volumes: [{ pool: "default" }] });
    await agentAnswers(destroy.id, { result: { vmId: vm.id, removedDomain: true, removedVolumes: [] } });
    const row = await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(row).toMatchObject({ state: "Destroyed", liveName: null, activeJobId: null });
    expect(await core.db.volume.count({ where: { vmId: vm.id, state: "Deleted" } })).toBe(1);
    expect(await hostUse()).toBe(0);
    const states = (await core.db.event.findMany({ where: { vmId: vm.id }, orderBy: { id: "asc" } })).map((e) => e.toState);
    expect(states).toEqual(["Creating", "Running", "Stopping", "Stopped", "Starting", "Running", "Rebooting", "Running", "Destroying", "Destroyed"]);
    expect(await core.db.job.count({ where: { state: "Succeeded" } })).toBe(5);
    // The name is free again.
    await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
  });

  it("answers VM_BUSY naming the running job, and INVALID_STATE with what is possible", async () => {
    const { alice, vm } = await runningVm();
    const stop = await stopVm(core, alice, { vm: "web-1" });
    const busy = await startVm(core, alice, { vm: vm.id }).catch((e: CarveError) => e);
    expect(busy).toMatchObject({ code: "VM_BUSY" });
    expect((busy as CarveError).message).toContain(stop.id);
    await agentAnswers(stop.id, power(vm.id, "stopped"));
    const invalid = await rebootVm(core, alice, { vm: "web-1" }).catch((e: CarveError) => e);
    expect(invalid).toMatchObject({ code: "INVALID_STATE" });
    expect((invalid as CarveError).message).toContain("From Stopped you can: start, destroy");
  });

  it("a failed create leaves the VM in Error with the hypervisor's message, capacity released", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    const { vm, job } = await createVm(core, alice, { name: "bad", template: "tiny", offering: "small" });
    expect(await hostUse()).toBe(1);
    await agentAnswers(job.id, { reason: "libvirt refused the domain definition: XML error: invalid memory" });
    const row = await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(row.state).toBe("Error");
    expect(row.stateReason).toContain("XML error: invalid memory");
    const failed = await core.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(failed).toMatchObject({ state: "Failed", errorCode: "AGENT_ERROR" });
    expect(failed.errorMessage).toContain("Destroy it and try again");
    expect(await hostUse()).toBe(0);
    // Destroying the failed VM cleans up without releasing capacity twice.
    const destroy = await destroyVm(core, alice, { vm: "bad" });
    await agentAnswers(destroy.id, { result: { vmId: vm.id, removedDomain: false, removedVolumes: [] } });
    expect(await hostUse()).toBe(0);
  });

  it("a failed stop returns the VM to Running and says why", async () => {
    const { alice, vm } = await runningVm();
    const stop = await stopVm(core, alice, { vm: "web-1" });
    await agentAnswers(stop.id, { reason: "domain is not running" });
    const row = await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(row.state).toBe("Running");
    expect(row.stateReason).toContain("domain is not running");
  });

  it("finalising twice changes nothing the second time", async () => {
    const { alice, vm } = await runningVm();
    const stop = await stopVm(core, alice, { vm: "web-1" });
    await agentAnswers(stop.id, power(vm.id, "stopped"));
    const events = await core.db.event.count();
    await sweepJobs(core);
    expect(await core.db.event.count()).toBe(events);
  });

  it("owners act on their own VMs only; admins on all", async () => {
    const { vm } = await runningVm();
    const mallory = await createTestUser(core, "mallory");
    const admin = await createTestUser(core, "root-admin", "Admin");
    for (const attempt of [() => getVm(core, mallory, { vm: vm.id }), () => stopVm(core, mallory, { vm: "web-1" }), () => destroyVm(core, mallory, { vm: vm.id })]) {
      expect(await attempt().catch((e: CarveError) => e.code)).toBe("VM_NOT_FOUND");
    }
    expect((await listVms(core, mallory)).items).toHaveLength(0);
    expect((await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe("Running");
    const stop = await stopVm(core, admin, { vm: vm.id });
    expect(stop.actorId).toBe(admin.userId);
  });

  it("a job Redis never received is sent by the sweep, so no request is lost", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    core.queues.offline = true;
    const { vm, job } = await createVm(core, alice, { name: "later", template: "tiny", offering: "small" });
    expect(core.queues.jobs.size).toBe(0);
    core.queues.offline = false;
    await core.db.job.update({ where: { id: job.id }, data: { createdAt: new Date(Date.now() - 10_000) } });
    expect(await sweepJobs(core)).toMatchObject({ resent: 1 });
    await agentAnswers(job.id, created(vm.id));
    expect((await getVm(core, alice, { vm: "later" })).state).toBe("Running");
  });

  it("lists a page at a time, newest first, filtered by state", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    for (let i = 0; i < 5; i++) await createVm(core, alice, { name: `vm-${i}`, template: "tiny", offering: "small" });
    const first = await listVms(core, alice, { limit: 2 });
    expect(first.items.map((v) => v.name)).toEqual(["vm-4", "vm-3"]);
    const second = await listVms(core, alice, { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((v) => v.name)).toEqual(["vm-2", "vm-1"]);
    const third = await listVms(core, alice, { limit: 2, cursor: second.nextCursor });
    expect(third).toMatchObject({ items: [{ name: "vm-0" }], nextCursor: null });
    expect((await listVms(core, alice, { state: "Running" })).items).toHaveLength(0);
    expect(await listVms(core, alice, { state: "Sleeping" }).catch((e: CarveError) => e.fields[0]?.field)).toBe("state");
  });
});
