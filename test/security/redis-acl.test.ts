// Issue 16, item 1: on a Redis whose `default` user is off, a host joins with the join command an
// admin is given, runs its jobs under its own user, and no credential reaches beyond its own job.
import { spawn } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { addPool, addTemplate, createOffering, createVm, type TActor } from "@carve/core";
import { TEST_POOL, TEST_TEMPLATE, writeTestNodeXml } from "@carve/agent/testing";
import { hostQueueName, joinRequestsKey } from "@carve/protocol";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/service.ts";
import { runAgentJoin, startJoinedAgent } from "../lib/stack/join-agent.ts";
import { sendWithoutAuth, TestRedis } from "../lib/stack/redis-server.ts";
import { newStackPrefix, Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";
import { waitForLogLine } from "../lib/stack/log-lines.ts";

const prefix = newStackPrefix();
let redis: TestRedis;
let stack: Stack;
let admin: TActor;
let dev: TActor;
const opened: Redis[] = [];
beforeAll(async () => {
  redis = await TestRedis.start(join(REPO_ROOT, "var", "test-stack", `${prefix}-redis`), { acl: prefix });
  stack = await new Stack({ redisUrl: redis.url, prefix }).init();
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
});
afterAll(async () => {
  for (const connection of opened) connection.disconnect();
  await stack?.stop();
  await redis?.kill();
});

/** `carve host add NAME --json` as an admin on the management server would run it; its printed join command. */
function cliHostAdd(name: string, uri: string): Promise<string> {
  const env = { ...process.env, DATABASE_URL: stack.databaseUrl, REDIS_URL: redis.url, CARVE_AGENT_REDIS_URL: redis.joinUrl, CARVE_QUEUE_PREFIX: prefix };
  const child = spawn(process.execPath, [join(REPO_ROOT, "apps/cli/bin/carve.js"), "host", "add", name, "--uri", uri, "--json"], { env, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once("close", (code) => (code === 0 ? resolve((JSON.parse(stdout) as { joinCommand: string }).joinCommand) : reject(new Error(`carve host add exited ${code}: ${stdout}`)))),
  );
}

/** A client of the test Redis as a user; refusals come back as rejections. */
function client(auth: { username: string; password: string }): Redis {
  const connection = new Redis(redis.openUrl, { ...auth, maxRetriesPerRequest: 0, enableReadyCheck: false, retryStrategy: () => null });
  connection.on("error", () => undefined);
  opened.push(connection);
  return connection;
}

/** Registers a host with the CLI, joins it with the printed command (the token passed in CARVE_JOIN_TOKEN), starts its agent. */
async function joinHost(name: string) {
  const node = await writeTestNodeXml({ dir: join(stack.dir, `node-${name}`) });
  const command = await cliHostAdd(name, node.uri);
  const flag = (option: string) => new RegExp(`--${option} (\\S+)`).exec(command)?.[1] ?? "";
  expect(flag("redis")).toBe(redis.joinUrl);
  // The token is in the command's environment, never on its command line (another user of the host could read that).
  expect(command).not.toContain("--token");
  const token = /^CARVE_JOIN_TOKEN=(carve-join-\S+) carve-agent join /.exec(command)?.[1] ?? "";
  const host = await stack.core.db.host.findUniqueOrThrow({ where: { name } });
  await addPool(stack.core, admin, { name: `pool-${name}`, hosts: [name], libvirtName: TEST_POOL, path: node.pools[0]?.path ?? "" });
  const config = join(stack.dir, name, "agent.json");
  const joined = await runAgentJoin(stack, token, node.uri, config, { redisUrl: flag("redis"), tokenInEnv: true });
  expect(joined.stderr).toBe("");
  expect(joined.code).toBe(0);
  const written = JSON.parse(await readFile(config, "utf8")) as { redisUrl: string; redisUser: string; credential: string };
  await startJoinedAgent(stack, name, config);
  return { host, written, token };
}

type TJoined = Awaited<ReturnType<typeof joinHost>>;
let first: TJoined;
let second: TJoined;

describe("Redis ACLs (default user off)", () => {
  it("a host joins with the printed command, runs a job under its own user, and its credential reaches nothing else", async () => {
    first = await joinHost("acl-1");
    second = await joinHost("acl-2");
    // The join user's password is not kept on the host once it has its own user.
    for (const { written } of [first, second]) {
      expect(written.redisUrl).toBe(redis.openUrl);
      expect(JSON.stringify(written)).not.toContain(new URL(redis.joinUrl).password);
    }
    await stack.waitForHostsUp();

    await addTemplate(stack.core, admin, { name: "tiny", pools: ["pool-acl-1"], volume: TEST_TEMPLATE });
    await createOffering(stack.core, admin, { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 });
    const { job } = await createVm(stack.core, dev, { name: "web-1", template: "tiny", offering: "small" });
    expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
    const jobKey = `${prefix}:${hostQueueName(first.host.id)}:${job.id}`;

    // The job's own host reads it; the other host, the join user and no user at all cannot.
    const own = client({ username: first.written.redisUser, password: first.written.credential });
    expect(await own.hget(jobKey, "name")).toBe("vm.create");
    const other = client({ username: second.written.redisUser, password: second.written.credential });
    await expect(other.hget(jobKey, "data")).rejects.toThrow(/NOPERM/);
    await expect(other.lrange(joinRequestsKey(prefix), 0, -1)).rejects.toThrow(/NOPERM/);
    await expect(other.call("CONFIG", "GET", "dir")).rejects.toThrow(/NOPERM/);
    await expect(other.call("ACL", "LIST")).rejects.toThrow(/NOPERM/);
    await expect(other.keys("*")).rejects.toThrow(/NOPERM/);

    const joinUser = new URL(redis.joinUrl);
    const joining = client({ username: decodeURIComponent(joinUser.username), password: decodeURIComponent(joinUser.password) });
    await expect(joining.lrange(joinRequestsKey(prefix), 0, -1)).rejects.toThrow(/NOPERM/);
    await expect(joining.lpop(joinRequestsKey(prefix))).rejects.toThrow(/NOPERM/);
    await expect(joining.hget(jobKey, "data")).rejects.toThrow(/NOPERM/);
    await expect(joining.call("CONFIG", "GET", "dir")).rejects.toThrow(/NOPERM/);

    // Without credentials (plain RESP on one connection, as any tool on the network would send it).
    const anonymous = await sendWithoutAuth(redis.port, [["PING"], ["HGET", jobKey, "data"], ["LRANGE", joinRequestsKey(prefix), "0", "-1"], ["CONFIG", "GET", "dir"], ["ACL", "LIST"], ["AUTH", "default", ""]]);
    expect(anonymous.slice(0, 5)).toEqual(Array(5).fill(expect.stringMatching(/^-NOAUTH/)));
    expect(anonymous[5]).toMatch(/^-WRONGPASS/);
  });

  it("after a Redis restart under the joined agents, no log holds a credential, token or password; logs are 0600; the AOF holds no join token", async () => {
    const agentLog = join(stack.dir, "agent-acl-1.log");
    await redis.kill();
    await redis.restart();
    // The host users live in Redis's memory: until the controller puts them back, the agents' AUTH is refused.
    await waitForLogLine(agentLog, (line) => /WRONGPASS/.test(JSON.stringify(line)), "the agent's refused AUTH after the restart");
    await until(async () => (await stack.core.db.host.count({ where: { state: "Up" } })) === 2, 30_000, "both hosts Up again");
    const { job } = await createVm(stack.core, dev, { name: "web-2", template: "tiny", offering: "small" });
    expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");

    const secrets = [...redis.secrets, first.token, second.token, first.written.credential, second.written.credential];
    const logs = (await readdir(stack.dir, { recursive: true })).filter((file) => file.endsWith(".log")).map((file) => join(stack.dir, file));
    expect(logs.length).toBeGreaterThanOrEqual(3); // controller and both agents
    for (const file of logs) {
      const text = await readFile(file, "utf8");
      for (const secret of secrets) expect(text.includes(secret), `${file} holds a secret`).toBe(false);
      expect((await stat(file)).mode & 0o077, `${file} is readable by others`).toBe(0);
    }
    // The join requests went through Redis's append-only file with the token's proof, never the token.
    const aof = (await readdir(redis.dir, { recursive: true })).filter((file) => /\.aof/.test(file)).map((file) => join(redis.dir, file));
    const stored = (await Promise.all(aof.map((file) => readFile(file, "utf8")))).join("\n");
    expect(stored).toContain(joinRequestsKey(prefix));
    for (const token of [first.token, second.token]) expect(stored).not.toContain(token);
  });
});
