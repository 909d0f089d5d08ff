import { afterAll, beforeAll, expect, it } from "vitest";
import { createVm, destroyVm, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { addRealHost } from "../lib/hypervisor/real-host.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let dev: TActor;
let real: Awaited<ReturnType<typeof addRealHost>>;

beforeAll(async () => {
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  real = await addRealHost(stack, admin);
});

afterAll(async () => {
  await real?.cleanup.run();
  await stack?.stop();
});

it("kill -9 of the agent mid-provision: after restart exactly one domain and one root volume per VM, jobs Succeeded", async () => {
  const hostId = real.host.id;
  const created = await Promise.all([0, 1, 2].map((i) => createVm(stack.core, dev, { name: `crash-${i}`, template: "tiny", offering: "tiny" })));
  // Kill the agent as soon as it is working on the batch.
  await until(
    async () => (await Promise.all(created.map(({ job }) => stack.core.queues.outcome(hostId, job.id)))).some((o) => o.state === "pending" && o.active),
    30_000,
    "the agent to start provisioning",
  );
  await stack.agents.get(hostId)?.stop("SIGKILL");
  const midway = await real.objects();
  expect(await stack.core.db.job.count({ where: { state: { in: ["Queued", "Running"] } } })).toBeGreaterThan(0);

  await stack.startAgent(hostId, real.uri);
  const jobs = await Promise.all(created.map(({ job }) => stack.finish(dev, job.id, 120_000)));
  expect(jobs.map((j) => j.state)).toEqual(["Succeeded", "Succeeded", "Succeeded"]);
  const after = await real.objects();
  expect(after.domains.sort()).toEqual(created.map(({ vm }) => domainName(vm.id)).sort());
  expect(after.volumes).toHaveLength(3);
  console.info(`[agent crash] killed with ${midway.domains.length} domains and ${midway.volumes.length} volumes made; after restart ${after.domains.length} and ${after.volumes.length}`);

  await Promise.all(created.map(async ({ vm }) => stack.finish(dev, (await destroyVm(stack.core, dev, { vm: vm.id })).id)));
  expect(await real.objects()).toEqual({ domains: [], volumes: [] });
});
