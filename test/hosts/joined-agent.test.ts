// A joined agent's edges (issue 19): its config keeps join's --data-dir, a host that never joined is
// pointed to `carve-agent join`, and the agent of a host removed while it runs (Redis then refuses
// its credential) says why, and a SIGTERM stops it at once instead of after minutes of retries.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { addHost, removeHost, type TActor } from "@carve/core";
import { writeTestNodeXml } from "@carve/agent/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteHostRedisUsers, runAgentJoin, startJoinedAgent } from "../lib/stack/join-agent.ts";
import { waitForLogLine } from "../lib/stack/log-lines.ts";
import { REPO_ROOT } from "../../scripts/lib/service.ts";
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
  await deleteHostRedisUsers(stack);
  await stack?.stop();
});

/** `carve-agent ARGS` with only PATH set (no config file at the default place on a test machine): exit code and output. */
function carveAgent(...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "agent/bin/carve-agent.js"), ...args], { cwd: REPO_ROOT, env: { PATH: process.env["PATH"] ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("carve-agent on a host that never joined", () => {
  it.each(["doctor", "run"])("%s says to run carve-agent join first", async (command) => {
    const result = await carveAgent(command);
    expect(result.code).toBe(78);
    expect(result.output).toContain("this host has not joined Carve: there is no config file at /etc/carve/agent.json (and no CARVE_HOST_ID). Run 'carve-agent join --token TOKEN --redis URL'");
  });
});

describe("a joined agent whose host was removed", () => {
  it("logs that its host was removed, and stops on SIGTERM without waiting for Redis", async () => {
    const node = await writeTestNodeXml({ dir: join(stack.dir, "node-gone") });
    const host = await addHost(stack.core, admin, { name: "gone", uri: node.uri });
    const config = join(stack.dir, "gone", "agent.json");
    expect((await runAgentJoin(stack, host.joinToken.token, node.uri, config)).code).toBe(0);
    // Kept in the config: run (started without CARVE_AGENT_DATA_DIR) uses the key join made.
    expect(JSON.parse(await readFile(config, "utf8"))).toMatchObject({ hostId: host.id, dataDir: join(stack.dir, "agent-data-joined") });
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
