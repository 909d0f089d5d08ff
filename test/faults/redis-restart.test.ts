import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createVm, inspectHost, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { Stack } from "../lib/stack/stack.ts";
import { TestRedis } from "../lib/stack/redis-server.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let redis: TestRedis;
let admin: TActor;
let dev: TActor;
let hostIds: string[];

beforeAll(async () => {
  const probe = new Stack();
  redis = await TestRedis.start(join(probe.dir, "redis"));
  stack = await new Stack({ redisUrl: redis.url }).init();
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  hostIds = (await addTestHosts(stack, admin, { count: 2 })).map((h) => h.id);
});

afterAll(async () => {
  await stack?.stop();
  await redis?.kill();
});

it("Redis killed and restarted (AOF on) during a batch of creates: no job is lost, no VM is doubled", async () => {
  const create = (i: number) => createVm(stack.core, dev, { name: `r-${i}`, template: "tiny", offering: "small" });
  const before = await Promise.all([0, 1, 2, 3, 4].map(create));
  await redis.kill();
  // Requests keep being accepted while Redis is away: they are recorded and sent later.
  const during = await Promise.all([5, 6, 7, 8, 9].map(create));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await redis.restart();
  const after = await Promise.all([10, 11, 12, 13, 14].map(create));

  const all = [...before, ...during, ...after];
  const jobs = await Promise.all(all.map(({ job }) => stack.finish(dev, job.id, 90_000)));
  // The reason is in the comparison, so a failure says why.
  expect(jobs.filter((j) => j.state !== "Succeeded").map((j) => `${j.state}: ${j.errorMessage}`)).toEqual([]);
  expect(await stack.core.db.vm.count({ where: { state: "Running" } })).toBe(15);

  const domains: string[] = [];
  for (const hostId of hostIds) {
    const inv = await stack.finish(admin, (await inspectHost(stack.core, admin, hostId)).id);
    domains.push(...(inv.result as { domains: { name: string }[] }).domains.map((d) => d.name).filter((n) => n.startsWith("carve-")));
  }
  expect(domains.sort()).toEqual(all.map(({ vm }) => domainName(vm.id)).sort());
});
