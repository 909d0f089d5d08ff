import { afterAll, beforeAll, expect, it } from "vitest";
import { addTemplate, createVm, getVm, TRANSITIONAL_STATES, type TActor } from "@carve/core";
import { Stack } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let dev: TActor;

beforeAll(async () => {
  stack = await new Stack().init();
  const admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  await addTestHosts(stack, admin, { count: 1 });
  // A template whose image is not in the pool: libvirt refuses to clone it.
  await addTemplate(stack.core, admin, { name: "ghost", pools: ["pool-1"], volume: "missing.qcow2" });
});

afterAll(async () => {
  await stack?.stop();
});

it("an agent error leaves the VM in Error with libvirt's message in the job, capacity released, nothing transitional", async () => {
  const { vm, job } = await createVm(stack.core, dev, { name: "doomed", template: "ghost", offering: "small" });
  const ended = await stack.finish(dev, job.id);
  expect(ended.state).toBe("Failed");
  expect(ended.errorCode).toBe("AGENT_ERROR");
  // libvirt's own words, and what the user can do next.
  expect(ended.errorMessage).toMatch(/missing\.qcow2/);
  expect(ended.errorMessage).toMatch(/Storage volume not found|no storage vol/i);
  expect(ended.errorMessage).toContain("Destroy it and try again");
  const failed = await getVm(stack.core, dev, { vm: vm.id });
  expect(failed.state).toBe("Error");
  const host = await stack.core.db.host.findFirstOrThrow();
  expect([host.vcpusAllocated, host.memMiBAllocated]).toEqual([0, 0]);
  expect(await stack.core.db.vm.count({ where: { state: { in: [...TRANSITIONAL_STATES] } } })).toBe(0);
  // It failed once, for good: a refusal is not retried.
  expect(ended.attempts).toBeLessThanOrEqual(1);
});
