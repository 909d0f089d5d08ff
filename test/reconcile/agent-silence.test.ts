import { afterAll, beforeAll, expect, it } from "vitest";
import { createVm, listDrift, stopVm, TRANSITIONAL_STATES, type TActor } from "@carve/core";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

// libvirt's test driver keeps its domains inside the agent process: a restarted agent has a fresh
// node, so its VMs are truthfully missing. The real-hypervisor file shows states coming back.
const GRACE_MS = 10_000;
let stack: Stack;
let admin: TActor;
let dev: TActor;
let hosts: { id: string; name: string; uri: string }[];

beforeAll(async () => {
  stack = await new Stack({ controllerEnv: { CARVE_HOST_GRACE_MS: String(GRACE_MS), CARVE_RECONCILE_MS: "2000" } }).init();
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  hosts = await addTestHosts(stack, admin, { count: 2 });
});

afterAll(async () => {
  await stack?.stop();
});

const vmsOn = (hostId: string) => stack.core.db.vm.findMany({ where: { hostId, state: { not: "Destroyed" } }, orderBy: { name: "asc" } });

it("an agent killed for longer than the grace: host Disconnected, its VMs Unknown (capacity kept), its job abandoned; restarted, the truth is read back", async () => {
  const created = await Promise.all([0, 1, 2, 3].map((i) => createVm(stack.core, dev, { name: `s-${i}`, template: "tiny", offering: "small" })));
  await Promise.all(created.map(({ job }) => stack.finish(dev, job.id)));
  const [silent, other] = hosts;
  if (!silent || !other) throw new Error("two hosts expected");
  const mine = await vmsOn(silent.id);
  const [stopped] = mine;
  expect(mine.length).toBeGreaterThan(0);
  if (!stopped) throw new Error("no VM on the first host");
  await stack.finish(dev, (await stopVm(stack.core, dev, { vm: stopped.id })).id);
  const capacityBefore = await stack.core.db.host.findUniqueOrThrow({ where: { id: silent.id } });

  const killedAt = Date.now();
  await stack.agents.get(silent.id)?.stop("SIGKILL");
  await until(async () => (await stack.core.db.host.findUniqueOrThrow({ where: { id: silent.id } })).state === "Disconnected", 3 * GRACE_MS, "the silent host to be Disconnected");
  await until(async () => (await vmsOn(silent.id)).every((vm) => vm.state === "Unknown"), 10_000, "its VMs to be Unknown");
  const disconnectedMs = Date.now() - killedAt;
  expect(disconnectedMs).toBeGreaterThanOrEqual(GRACE_MS - 5_000); // the key outlives the agent; the beat's time counts
  const unknown = await vmsOn(silent.id);
  expect(unknown.map((vm) => vm.stateReason)).toEqual(unknown.map(() => expect.stringMatching(/stopped answering .*never restarts or fences/)));
  expect(await stack.core.db.event.count({ where: { vmId: { in: unknown.map((vm) => vm.id) }, toState: "Unknown" } })).toBe(unknown.length);
  const capacityDuring = await stack.core.db.host.findUniqueOrThrow({ where: { id: silent.id } });
  expect([capacityDuring.vcpusAllocated, capacityDuring.memMiBAllocated]).toEqual([capacityBefore.vcpusAllocated, capacityBefore.memMiBAllocated]);
  // The other host is untouched.
  expect((await vmsOn(other.id)).every((vm) => vm.state === "Running")).toBe(true);
  expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: other.id } })).state).toBe("Up");

  // A job sent to the silent host is abandoned after another grace period, with the reason.
  const stop = await stopVm(stack.core, dev, { vm: stopped.id });
  const abandoned = await stack.finish(dev, stop.id, 4 * GRACE_MS);
  expect(abandoned).toMatchObject({ state: "Failed", errorCode: "HOST_SILENT" });
  expect(abandoned.errorMessage).toMatch(new RegExp(`^host ${silent.name} stopped answering \\(no heartbeat for \\d+ s\\) while stop of VM ${stopped.name} was queued; the job was abandoned and ${stopped.name} was left in state Unknown`));
  expect(await stack.core.db.vm.count({ where: { state: { in: [...TRANSITIONAL_STATES] } } })).toBe(0);
  console.info(`[reconcile] agent SIGKILL → host Disconnected and VMs Unknown in ${disconnectedMs} ms (grace ${GRACE_MS} ms); queued job abandoned ${Date.now() - killedAt} ms after the kill`);

  // Back: the test driver's node is fresh, so the host truthfully no longer has these VMs.
  const restartedAt = Date.now();
  await stack.startAgent(silent.id, silent.uri);
  await until(async () => (await vmsOn(silent.id)).every((vm) => vm.state === "Error"), 30_000, "reconciliation to read the restarted host");
  console.info(`[reconcile] agent restarted → VMs settled from its inventory in ${Date.now() - restartedAt} ms`);
  const settled = await vmsOn(silent.id);
  expect(settled.map((vm) => vm.stateReason)).toEqual(settled.map(() => expect.stringMatching(new RegExp(`^missing on host ${silent.name}: .*Destroy the VM to release`))));
  const events = await stack.core.db.event.findMany({ where: { type: "vm.reconciled", vmId: { in: settled.map((vm) => vm.id) } } });
  expect(events.map((e) => [e.fromState, e.toState])).toEqual(settled.map(() => ["Unknown", "Error"]));
  const freed = await stack.core.db.host.findUniqueOrThrow({ where: { id: silent.id } });
  expect([freed.vcpusAllocated, freed.memMiBAllocated]).toEqual([0, 0]);
  expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: silent.id } })).state).toBe("Up");
  // The abandoned stop was taken off the queue: it never ran on the restarted agent.
  expect(await stack.core.queues.outcome(silent.id, stop.id)).toEqual({ state: "missing" });
  expect(await listDrift(stack.core, admin)).toEqual([]);
});
