import { afterEach, beforeEach, expect, it } from "vitest";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { destroyVm } from "../vms/destroy-vm.ts";
import { startVm } from "../vms/start-vm.ts";
import { stopVm } from "../vms/stop-vm.ts";
import { aggregateUsage } from "./aggregate-usage.ts";
import { floorTo, HOUR_MS } from "./usage-timeline.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

async function agentAnswers(jobId: string, result: unknown): Promise<void> {
  core.queues.settle(jobId, { result });
  await sweepJobs(core);
}

it("meters the events the VM use-cases and the controller really record", async () => {
  const alice = await createTestUser(core, "alice");
  const admin = await createTestUser(core, "root", "Admin");
  await seedInfra(core);
  const started = Date.now();
  const { vm, job } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
  await agentAnswers(job.id, { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: "/pool/web-1.qcow2" });
  await agentAnswers((await stopVm(core, alice, { vm: "web-1" })).id, { vmId: vm.id, state: "stopped", forced: false });
  await agentAnswers((await startVm(core, alice, { vm: "web-1" })).id, { vmId: vm.id, state: "running", forced: false });
  await agentAnswers((await destroyVm(core, alice, { vm: "web-1" })).id, { vmId: vm.id, removedDomain: true, removedVolumes: [] });

  const events = await core.db.event.findMany({ where: { vmId: vm.id, type: "vm.state" }, orderBy: [{ at: "asc" }, { id: "asc" }] });
  expect(events.map((e) => e.toState)).toEqual(["Creating", "Running", "Stopping", "Stopped", "Starting", "Running", "Destroying", "Destroyed"]);
  const at = events.map((e) => e.at.getTime());
  const span = (i: number) => (at[i + 1] ?? 0) - (at[i] ?? 0);
  const volume = await core.db.volume.findFirstOrThrow({ where: { vmId: vm.id } });

  core.now = () => new Date(Date.now() + 2 * HOUR_MS);
  await aggregateUsage(core, admin, { from: new Date(floorTo(started, "Hour")).toISOString(), to: new Date(floorTo(core.now().getTime(), "Hour")).toISOString() });
  const hours = await core.db.usageRecord.findMany({ where: { granularity: "Hour" } });
  const total = (subjectId: string, kind: string) => Number(hours.filter((r) => r.subjectId === subjectId && r.kind === kind).reduce((s, r) => s + r.durationMs, 0n));
  expect(total(vm.id, "VmRunning")).toBe(span(1) + span(5));
  expect(total(vm.id, "VmAllocated")).toBe(span(0) + span(2) + span(3) + span(4));
  expect(total(volume.id, "Volume")).toBe((volume.deletedAt?.getTime() ?? 0) - volume.createdAt.getTime());
});
