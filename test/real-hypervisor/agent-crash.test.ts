import { expect, it } from "vitest";
import { createVm, destroyVm } from "@carve/core";
import { domainName } from "@carve/protocol";
import { useRealHostSuite } from "../lib/hypervisor/real-host.ts";
import { until } from "../lib/stack/stack.ts";

const suite = useRealHostSuite();

it("kill -9 of the agent mid-provision: after restart exactly one domain and one root volume per VM, jobs Succeeded", async () => {
  const hostId = suite.real.host.id;
  const created = await Promise.all([0, 1, 2].map((i) => createVm(suite.stack.core, suite.dev, { name: `crash-${i}`, template: "tiny", offering: "tiny" })));
  // Kill the agent as soon as it is working on the batch.
  await until(
    async () => (await Promise.all(created.map(({ job }) => suite.stack.core.queues.outcome(hostId, job.id)))).some((o) => o.state === "pending" && o.active),
    30_000,
    "the agent to start provisioning",
  );
  await suite.stack.agents.get(hostId)?.stop("SIGKILL");
  const midway = await suite.real.objects();
  expect(await suite.stack.core.db.job.count({ where: { state: { in: ["Queued", "Running"] } } })).toBeGreaterThan(0);

  await suite.stack.startAgent(hostId, suite.real.uri);
  const jobs = await Promise.all(created.map(({ job }) => suite.stack.finish(suite.dev, job.id, 120_000)));
  expect(jobs.map((j) => j.state)).toEqual(["Succeeded", "Succeeded", "Succeeded"]);
  const after = await suite.real.objects();
  expect(after.domains.sort()).toEqual(created.map(({ vm }) => domainName(vm.id)).sort());
  expect(after.volumes).toHaveLength(3);
  console.info(`[agent crash] killed with ${midway.domains.length} domains and ${midway.volumes.length} volumes made; after restart ${after.domains.length} and ${after.volumes.length}`);

  await Promise.all(created.map(async ({ vm }) => suite.stack.finish(suite.dev, (await destroyVm(suite.stack.core, suite.dev, { vm: vm.id })).id)));
  expect(await suite.real.objects()).toEqual({ domains: [], volumes: [] });
});
