import { afterEach, beforeEach, expect, it } from "vitest";
import type { CoreDeps } from "../context.ts";
import type { TFinishedJob, TReconciled } from "../hooks.ts";
import { readHostLoad } from "../hosts/read-host-load.ts";
import { reconcileHosts } from "../reconcile/reconcile-hosts.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { abandonJob } from "./abandon-job.ts";
import { finaliseJob } from "./finalise-job.ts";
import { sweepJobs } from "./sweep-jobs.ts";

let core: TTestCore;
let deps: CoreDeps;
let clock: Date;
let finished: TFinishedJob[];
let reconciled: TReconciled[];

beforeEach(async () => {
  core = await createTestCore();
  // Ahead of the real clock that stamps rows' updatedAt, as reconciliation needs (see reconcile tests).
  clock = new Date(Date.now() + 3_600_000);
  finished = [];
  reconciled = [];
  deps = { ...core, now: () => clock, hooks: { jobFinished: (job) => finished.push(job), reconciled: (report) => reconciled.push(report) } };
});
afterEach(async () => {
  await core.drop();
});

const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

it("reports each finished job once, with its kind, outcome, error code and created → finished time", async () => {
  const alice = await createTestUser(deps, "alice");
  await seedInfra(deps);
  const ok = await createVm(deps, alice, { name: "web-1", template: "tiny", offering: "small" });
  const bad = await createVm(deps, alice, { name: "web-2", template: "tiny", offering: "small" });
  const lost = await createVm(deps, alice, { name: "web-3", template: "tiny", offering: "small" });
  later(1_500);
  core.queues.settle(ok.job.id, { result: { vmId: ok.vm.id, domainUuid: ok.vm.id, state: "running", rootVolumePath: "/pool/a.qcow2" } });
  core.queues.settle(bad.job.id, { reason: "libvirt refused the domain definition" });
  await sweepJobs(deps);
  // Delivered again (live listener and sweep both): nothing more is reported.
  expect(await finaliseJob(deps, ok.job.id, { ok: true, result: {} })).toBe(false);
  later(60_000);
  expect(await abandonJob(deps, lost.job.id, "HOST_SILENT", "host host-1 stopped answering")).toMatch(/abandoned/);
  expect(await abandonJob(deps, lost.job.id, "HOST_SILENT", "again")).toBeNull();

  expect(finished).toHaveLength(3);
  const byJob = new Map(finished.map((job) => [job.jobId, job]));
  expect(byJob.get(ok.job.id)).toEqual({ jobId: ok.job.id, kind: "vm.create", outcome: "succeeded", errorCode: null, durationMs: 1_500 });
  expect(byJob.get(bad.job.id)).toEqual({ jobId: bad.job.id, kind: "vm.create", outcome: "failed", errorCode: "AGENT_ERROR", durationMs: 1_500 });
  expect(byJob.get(lost.job.id)).toEqual({ jobId: lost.job.id, kind: "vm.create", outcome: "failed", errorCode: "HOST_SILENT", durationMs: 61_500 });
  expect(reconciled).toEqual([]);
});

it("quotes an agent's reason that is a sentence without doubling its full stop", async () => {
  const alice = await createTestUser(deps, "alice");
  await seedInfra(deps, { hosts: 1 }); // one host: placement picks among equal hosts at random
  const failed = await createVm(deps, alice, { name: "web-1", template: "tiny", offering: "small" });
  core.queues.settle(failed.job.id, { reason: "the storage pool's directory changed." });
  await sweepJobs(deps);
  const job = await deps.db.job.findUniqueOrThrow({ where: { id: failed.job.id }, select: { errorMessage: true } });
  expect(job.errorMessage).toContain("failed on host-1: the storage pool's directory changed. ");
  expect(job.errorMessage).not.toContain("..");
});

it("reads each host's capacity, reservations and queue depth", async () => {
  const alice = await createTestUser(deps, "alice");
  await seedInfra(deps, { hosts: 1, cpus: 4, memoryMiB: 8192 });
  await deps.db.host.updateMany({ data: { cpuOvercommit: 2.5 } });
  await createVm(deps, alice, { name: "web-1", template: "tiny", offering: "small" });
  await createVm(deps, alice, { name: "web-2", template: "tiny", offering: "small" });
  const [first] = core.queues.byName("vm.create");
  if (!first) throw new Error("no create job queued");
  first.outcome = { state: "pending", progress: null, attemptsMade: 0, active: true };

  expect(await readHostLoad(deps)).toEqual([
    { name: "host-1", state: "Up", vcpusCapacity: 10, vcpusAllocated: 2, memoryCapacityMiB: 8192, memoryAllocatedMiB: 1024, queue: { waiting: 1, active: 1 } },
  ]);
  core.queues.depth = async () => {
    throw new Error("Redis is unreachable (fake)");
  };
  expect((await readHostLoad(deps))[0]?.queue).toBeNull();
});

it("reports what reconciling a host's inventory corrected", async () => {
  const alice = await createTestUser(deps, "alice");
  await seedInfra(deps, { hosts: 1 });
  const { vm, job } = await createVm(deps, alice, { name: "web-1", template: "tiny", offering: "small" });
  core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: "/pool/a.qcow2" } });
  await sweepJobs(deps);
  later(5_000);
  expect((await reconcileHosts(deps, { everyMs: 30_000 })).requested).toBe(1);
  const [inventory] = core.queues.byName("host.inventory");
  if (!inventory) throw new Error("no inventory asked for");
  const domains = [{ name: `carve-${vm.id}`, uuid: vm.id, state: "stopped" }, { name: "someone-elses", uuid: "0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1", state: "running" }];
  core.queues.settle(inventory.envelope.jobId, { result: { hostname: "h", cpus: 8, memoryMiB: 16384, domains, pools: [] } });
  await sweepJobs(deps);
  expect(reconciled).toEqual([{ host: "host-1", corrected: 1, driftOpened: 1, driftResolved: 0 }]);
  expect(finished.map((j) => j.kind).sort()).toEqual(["host.inventory", "vm.create"]);
});
