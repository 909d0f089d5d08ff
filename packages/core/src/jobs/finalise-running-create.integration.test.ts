import { afterEach, beforeEach, expect, it } from "vitest";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { finaliseJob, finaliseJobGenerally } from "./finalise-job.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const running = (vmId: string) => ({ ok: true as const, result: { vmId, domainUuid: vmId, state: "running", rootVolumePath: `/pool/carve-${vmId}.qcow2` } });

it("a create reported running is finalised once: job Succeeded with its result, VM Running, root volume attached at its path, one event", async () => {
  const alice = await createTestUser(core, "alice");
  await seedInfra(core);
  const { vm, job } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });

  expect(await finaliseJob(core, job.id, running(vm.id))).toBe(true);
  expect(await finaliseJob(core, job.id, running(vm.id))).toBe(false);

  expect(await core.db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({
    state: "Succeeded", progress: 100, step: "done", result: running(vm.id).result, finishedAt: expect.any(Date), errorMessage: null,
  }); // prettier-ignore
  expect(await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: "Running", stateReason: null, activeJobId: null });
  expect(await core.db.volume.findMany({ where: { vmId: vm.id }, select: { kind: true, state: true, path: true } })).toEqual([
    { kind: "Root", state: "Attached", path: `/pool/carve-${vm.id}.qcow2` },
  ]);
  const events = await core.db.event.findMany({ where: { vmId: vm.id }, orderBy: { id: "asc" }, select: { type: true, actorId: true, hostId: true, jobId: true, fromState: true, toState: true, message: true } });
  expect(events).toEqual([
    { type: "vm.state", actorId: alice.userId, hostId: vm.hostId, jobId: job.id, fromState: null, toState: "Creating", message: expect.any(String) },
    { type: "vm.state", actorId: null, hostId: vm.hostId, jobId: job.id, fromState: "Creating", toState: "Running", message: "web-1 is Running" },
  ]);
});

it("a create that is no longer the VM's job only ends the job; a stopped or malformed result takes the general path", async () => {
  const alice = await createTestUser(core, "alice");
  await seedInfra(core);
  const first = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
  await core.db.vm.update({ where: { id: first.vm.id }, data: { activeJobId: null, state: "Error", stateReason: "set aside by the test" } });
  expect(await finaliseJob(core, first.job.id, running(first.vm.id))).toBe(true);
  expect((await core.db.job.findUniqueOrThrow({ where: { id: first.job.id } })).state).toBe("Succeeded");
  expect(await core.db.vm.findUniqueOrThrow({ where: { id: first.vm.id } })).toMatchObject({ state: "Error", stateReason: "set aside by the test" });
  expect(await core.db.event.count({ where: { vmId: first.vm.id, toState: "Running" } })).toBe(0);

  const second = await createVm(core, alice, { name: "web-2", template: "tiny", offering: "small" });
  expect(await finaliseJob(core, second.job.id, { ok: true, result: { ...running(second.vm.id).result, state: "stopped" } })).toBe(true);
  expect((await core.db.vm.findUniqueOrThrow({ where: { id: second.vm.id } })).state).toBe("Stopped");

  const third = await createVm(core, alice, { name: "web-3", template: "tiny", offering: "small" });
  expect(await finaliseJob(core, third.job.id, { ok: true, result: { vmId: third.vm.id } })).toBe(true);
  expect(await core.db.job.findUniqueOrThrow({ where: { id: third.job.id } })).toMatchObject({ state: "Failed", errorCode: "AGENT_ERROR" });
  expect((await core.db.vm.findUniqueOrThrow({ where: { id: third.vm.id } })).state).toBe("Error");
});

it("creates that finish together are finalised together, each once, even when one is reported twice", async () => {
  const alice = await createTestUser(core, "alice");
  await seedInfra(core);
  const created = [];
  for (const name of ["web-1", "web-2", "web-3"]) created.push(await createVm(core, alice, { name, template: "tiny", offering: "small" }));
  const [a, b, c] = created.map((x) => ({ vmId: x.vm.id, jobId: x.job.id }));
  if (!a || !b || !c) throw new Error("three creates expected");
  const answers = await Promise.all([
    finaliseJob(core, a.jobId, running(a.vmId)),
    finaliseJob(core, b.jobId, running(b.vmId)),
    finaliseJob(core, a.jobId, running(a.vmId)),
    finaliseJob(core, c.jobId, { ok: false, message: "the disk could not be made" }),
  ]);
  expect(answers).toEqual([true, true, false, true]);
  const vms = await core.db.vm.findMany({ where: { ownerId: alice.userId }, orderBy: { name: "asc" }, select: { name: true, state: true } });
  expect(vms).toEqual([{ name: "web-1", state: "Running" }, { name: "web-2", state: "Running" }, { name: "web-3", state: "Error" }]);
  expect(await core.db.event.count({ where: { vmId: a.vmId, toState: "Running" } })).toBe(1);
  const jobs = await core.db.job.findMany({ where: { id: { in: [a.jobId, b.jobId] } }, select: { startedAt: true, finishedAt: true } });
  for (const job of jobs) expect(job.startedAt).toEqual(job.finishedAt); // no progress was reported: started when it was seen done
});

it("a create reported running ends the same through the batched statement as through the general path", async () => {
  const alice = await createTestUser(core, "alice");
  await seedInfra(core);
  const fast = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
  const general = await createVm(core, alice, { name: "web-2", template: "tiny", offering: "small" });
  expect(await finaliseJob(core, fast.job.id, running(fast.vm.id))).toBe(true);
  expect(await finaliseJobGenerally(core, general.job.id, running(general.vm.id))).toBe(true);

  // Everything a user or the next job sees, with each VM's own ids, name and host taken out (placement may spread them).
  const seen = async (vmId: string, jobId: string, name: string) => {
    const job = await core.db.job.findUniqueOrThrow({ where: { id: jobId }, select: { state: true, progress: true, step: true, result: true, errorCode: true, errorMessage: true } });
    const vm = await core.db.vm.findUniqueOrThrow({ where: { id: vmId }, select: { state: true, stateReason: true, activeJobId: true, hostId: true } });
    const volumes = await core.db.volume.findMany({ where: { vmId }, orderBy: { kind: "asc" }, select: { kind: true, state: true, path: true, stateReason: true } });
    const events = await core.db.event.findMany({ where: { vmId, toState: "Running" }, select: { type: true, actorId: true, hostId: true, jobId: true, fromState: true, message: true } });
    const anonymous = JSON.stringify({ job, vm, volumes, events }).replaceAll(vmId, "VM").replaceAll(jobId, "JOB").replaceAll(name, "NAME").replaceAll(vm.hostId ?? "no host", "HOST");
    return JSON.parse(anonymous) as unknown;
  };
  const [a, b] = [await seen(fast.vm.id, fast.job.id, "web-1"), await seen(general.vm.id, general.job.id, "web-2")];
  expect(a).toMatchObject({ vm: { state: "Running", hostId: "HOST" }, volumes: [{ kind: "Root", state: "Attached", path: "/pool/carve-VM.qcow2" }] });
  expect(b).toEqual(a);
});
