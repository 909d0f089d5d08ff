import { randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createVm, destroyDrift, destroyVm, ignoreDrift, listDrift, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { CleanupStack } from "../lib/hypervisor/cleanup.ts";
import { addRealHost } from "../lib/hypervisor/real-host.ts";
import { virsh, virshMaybe } from "../lib/hypervisor/virsh.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

// The test driver keeps its domains inside the agent process, where no outside virsh can reach
// them; out-of-band changes need the real libvirtd (qemu:///system, TCG guests).
const GRACE_MS = 10_000;
let stack: Stack;
let admin: TActor;
let dev: TActor;
let real: Awaited<ReturnType<typeof addRealHost>>;
const strays = new CleanupStack();

beforeAll(async () => {
  stack = await new Stack({ controllerEnv: { CARVE_HOST_GRACE_MS: String(GRACE_MS), CARVE_RECONCILE_MS: "3000" } }).init();
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  real = await addRealHost(stack, admin);
});

afterAll(async () => {
  await strays.run();
  await real?.cleanup.run();
  await stack?.stop();
});

const stateOf = async (vmId: string) => (await stack.core.db.vm.findUniqueOrThrow({ where: { id: vmId } })).state;

/** Defines (never starts) a bare domain on the shared libvirtd behind Carve's back. */
async function defineStray(name: string): Promise<void> {
  const xml = join(stack.dir, `${name}.xml`);
  await writeFile(xml, `<domain type='qemu'><name>${name}</name><memory unit='MiB'>16</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`);
  await virsh(real.uri, ["define", xml]);
  strays.push(`undefine ${name}`, async () => virshMaybe(real.uri, ["undefine", name]));
}

let vms: { id: string; name: string }[] = [];

it("an out-of-band 'virsh destroy' of a running VM is reconciled to Stopped within 60 s, with an event", async () => {
  const created = await Promise.all([0, 1].map((i) => createVm(stack.core, dev, { name: `oob-${i}`, template: "tiny", offering: "tiny" })));
  const jobs = await Promise.all(created.map(({ job }) => stack.finish(dev, job.id)));
  expect(jobs.map((j) => j.state)).toEqual(["Succeeded", "Succeeded"]);
  vms = created.map(({ vm }) => vm);
  const [victim] = vms;
  if (!victim) throw new Error("no VM");

  const destroyedAt = Date.now();
  await virsh(real.uri, ["destroy", domainName(victim.id)]);
  await until(async () => (await stateOf(victim.id)) === "Stopped", 60_000, "reconciliation to see the domain shut off");
  const reconciledMs = Date.now() - destroyedAt;
  console.info(`[reconcile] out-of-band virsh destroy → Stopped in ${reconciledMs} ms (CARVE_RECONCILE_MS 3000)`);
  const event = await stack.core.db.event.findFirstOrThrow({ where: { vmId: victim.id, type: "vm.reconciled" } });
  expect(event).toMatchObject({ fromState: "Running", toState: "Stopped", hostId: real.host.id, actorId: null });
  expect(event.message).toContain(`reported by host ${real.host.name} (domain shut off)`);
  expect((await stack.core.db.vm.findUniqueOrThrow({ where: { id: victim.id } })).stateReason).toContain("stopped outside Carve");
  expect(await stateOf(vms[1]?.id ?? "")).toBe("Running");
});

it("unknown domains show on the drift list and stay on the host; destroy removes a Carve-named one, ignore keeps the other", async () => {
  const carveNamed = domainName(randomUUID());
  const foreign = `stray-${randomBytes(4).toString("hex")}`;
  await defineStray(carveNamed);
  await defineStray(foreign);
  // The daemon is shared with other test runs: look at this test's domains only.
  const ours = async () => (await listDrift(stack.core, admin, { all: true })).filter((d) => d.domainName === carveNamed || d.domainName === foreign);
  await until(async () => (await ours()).length === 2, 60_000, "the stray domains to show on the drift list");
  const items = await ours();
  expect(items.map((d) => [d.domainName, d.state, d.reportedState, d.host.name]).sort()).toEqual(
    [
      [carveNamed, "Open", "stopped", real.host.name],
      [foreign, "Open", "stopped", real.host.name],
    ].sort(),
  );
  // Listed, never removed on its own.
  expect(await virshMaybe(real.uri, ["domstate", foreign])).toBe("shut off");

  const carveItem = items.find((d) => d.domainName === carveNamed);
  const foreignItem = items.find((d) => d.domainName === foreign);
  await expect(destroyDrift(stack.core, admin, foreignItem?.id ?? "")).rejects.toThrow(/was not created by Carve, so Carve will not destroy it/);
  await ignoreDrift(stack.core, admin, foreignItem?.id ?? "");
  const cleanup = await stack.finish(admin, (await destroyDrift(stack.core, admin, carveItem?.id ?? "")).id);
  expect(cleanup.state).toBe("Succeeded");
  expect(await virshMaybe(real.uri, ["domstate", carveNamed])).toBeNull();
  await until(async () => (await ours()).find((d) => d.domainName === carveNamed)?.state === "Resolved", 30_000, "the destroyed stray to be resolved");
  expect((await ours()).find((d) => d.domainName === foreign)?.state).toBe("Ignored");
  expect((await listDrift(stack.core, admin)).some((d) => d.domainName === carveNamed || d.domainName === foreign)).toBe(false);
});

it("an agent killed for longer than the grace: VMs Unknown; restarted, each VM gets its real state back", async () => {
  const [stopped, running] = vms;
  if (!stopped || !running) throw new Error("VMs from the first test expected");
  const killedAt = Date.now();
  await stack.agents.get(real.host.id)?.stop("SIGKILL");
  await until(
    async () => (await stack.core.db.host.findUniqueOrThrow({ where: { id: real.host.id } })).state === "Disconnected" && (await stateOf(stopped.id)) === "Unknown" && (await stateOf(running.id)) === "Unknown",
    3 * GRACE_MS,
    "the host to be Disconnected and its VMs Unknown",
  );
  console.info(`[reconcile] real host: agent SIGKILL → Disconnected and VMs Unknown in ${Date.now() - killedAt} ms`);
  // The guest kept running without its agent: Carve never touched it.
  expect(await virsh(real.uri, ["domstate", domainName(running.id)])).toBe("running");

  const restartedAt = Date.now();
  await stack.startAgent(real.host.id, real.uri);
  await until(async () => (await stateOf(stopped.id)) === "Stopped" && (await stateOf(running.id)) === "Running", 30_000, "reconciliation to restore both states");
  console.info(`[reconcile] real host: agent restarted → Running/Stopped restored in ${Date.now() - restartedAt} ms`);
  const events = await stack.core.db.event.findMany({ where: { type: "vm.reconciled", fromState: "Unknown" }, orderBy: { id: "asc" } });
  expect(events.map((e) => [e.vmId, e.toState]).sort()).toEqual([[running.id, "Running"], [stopped.id, "Stopped"]].sort());

  const destroyed = await Promise.all(vms.map(async (vm) => stack.finish(dev, (await destroyVm(stack.core, dev, { vm: vm.id })).id)));
  expect(destroyed.map((j) => j.state)).toEqual(["Succeeded", "Succeeded"]);
  expect(await real.objects()).toEqual({ domains: [], volumes: [] });
});
