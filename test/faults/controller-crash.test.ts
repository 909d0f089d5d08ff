import { afterAll, beforeAll, expect, it } from "vitest";
import { createVm, type TActor } from "@carve/core";
import { Stack, until } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let dev: TActor;
let hostId: string;

beforeAll(async () => {
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  hostId = (await addTestHosts(stack, admin, { count: 1 }))[0]?.id ?? "";
});

afterAll(async () => {
  await stack?.stop();
});

it("kill -9 of the controller mid-flow: the agent's results are finalised after it restarts", async () => {
  await stack.controller?.stop("SIGKILL");
  const created = await Promise.all(
    Array.from({ length: 8 }, (_, i) => createVm(stack.core, dev, { name: `orphan-${i}`, template: "tiny", offering: "small" })),
  );
  // The agent finishes every job while no controller is there to hear it.
  await until(
    async () => (await Promise.all(created.map(({ job }) => stack.core.queues.outcome(hostId, job.id)))).every((o) => o.state === "completed"),
    30_000,
    "the agent to complete every job",
  );
  // (kind: the controller also asks the host for its inventory when it comes Up.)
  expect(await stack.core.db.job.count({ where: { kind: "vm.create", state: { in: ["Queued", "Running"] } } })).toBe(8);
  expect(await stack.core.db.vm.count({ where: { state: "Creating" } })).toBe(8);

  await stack.startController();
  const jobs = await Promise.all(created.map(({ job }) => stack.finish(dev, job.id, 30_000)));
  expect(jobs.map((j) => j.state)).toEqual(Array(8).fill("Succeeded"));
  expect(await stack.core.db.vm.count({ where: { state: "Running" } })).toBe(8);
});
