// The agent of a host removed while it runs (issue 19, item 8): Redis then refuses its credential;
// it says why, and a SIGTERM stops it at once instead of after minutes of retries.
import { join } from "node:path";
import { addHost, removeHost, type TActor } from "@carve/core";
import { writeTestNodeXml } from "@carve/agent/testing";
import { hostRedisUser } from "@carve/protocol";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgentJoin, startJoinedAgent } from "../lib/stack/join-agent.ts";
import { waitForLogLine } from "../lib/stack/log-lines.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let admin: TActor;
beforeAll(async () => {
  stack = await new Stack().init();
  admin = await createUser(stack.core, "ops", "Admin");
  await stack.startController();
});
afterAll(async () => {
  for (const service of [...stack.agents.values(), stack.controller]) await service?.stop();
  // Per-host Redis users outlive the stack's database.
  const redis = new Redis(stack.redisUrl);
  for (const { id } of await stack.core.db.host.findMany({ select: { id: true } })) await redis.call("ACL", "DELUSER", hostRedisUser(id));
  redis.disconnect();
  await stack?.stop();
});

describe("an agent whose host was removed", () => {
  it("logs that its host was removed, and stops on SIGTERM without waiting for Redis", async () => {
    const node = await writeTestNodeXml({ dir: join(stack.dir, "node-gone") });
    const host = await addHost(stack.core, admin, { name: "gone", uri: node.uri });
    const config = join(stack.dir, "gone", "agent.json");
    expect((await runAgentJoin(stack, host.joinToken.token, node.uri, config)).code).toBe(0);
    const agent = await startJoinedAgent(stack, "gone", config);
    await until(async () => (await stack.core.db.host.count({ where: { id: host.id, state: "Up" } })) === 1, 30_000, "host gone to be Up");

    await removeHost(stack.core, admin, { host: "gone" });
    const log = join(stack.dir, "agent-gone.log");
    await waitForLogLine(log, (line) => line.msg.startsWith("Redis refuses this host's credential (WRONGPASS): the host was removed from Carve"), "the removal noticed", 30_000);

    agent.child.kill("SIGTERM");
    // Before: the close retried WRONGPASS for over two minutes (the test's timeout).
    expect(await agent.exited).toBe(0);
    await waitForLogLine(log, (line) => line.msg.includes("stopping at once without waiting for active jobs: this host was removed from Carve"), "the reason of the quick stop");
    await waitForLogLine(log, (line) => line.msg === "agent stopped", "agent stopped");
  });
});
