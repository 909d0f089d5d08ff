import { stat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { addHost, addPool, addTemplate, createOffering, createVm, destroyVm, removeHost, type TActor } from "@carve/core";
import { TEST_POOL, TEST_TEMPLATE, writeTestNodeXml } from "@carve/agent/testing";
import { hostHeartbeatKey, hostRedisUser } from "@carve/protocol";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CleanupStack } from "../lib/hypervisor/cleanup.ts";
import { ensureDirPool, ensureLibvirtd, removeDirPool } from "../lib/hypervisor/libvirtd.ts";
import { E2E_POOL_ROOT } from "../lib/hypervisor/paths.ts";
import { deleteHostRedisUsers, runAgentJoin, startJoinedAgent } from "../lib/stack/join-agent.ts";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

let stack: Stack;
let admin: TActor;
let dev: TActor;
const cleanup = new CleanupStack();
beforeAll(async () => {
  stack = await new Stack().init();
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
});
afterAll(async () => {
  // Per-host Redis users outlive the stack's database: remove this run's once no controller recreates them.
  for (const service of [...stack.agents.values(), stack.controller]) await service?.stop();
  await deleteHostRedisUsers(stack);
  await cleanup.run();
  await stack?.stop();
});

/** Waits for one host to be Up with every pool it sees reporting capacity (other hosts of the file may never join). */
const hostUp = (hostId: string) =>
  until(
    async () =>
      (await stack.core.db.host.count({ where: { id: hostId, state: "Up" } })) === 1 &&
      (await stack.core.db.storagePool.count({ where: { hosts: { some: { hostId } }, capacityReportedAt: null } })) === 0,
    30_000,
    `host ${hostId} to be Up`,
  );
const readConfig = async (path: string) => JSON.parse(await readFile(path, "utf8")) as { hostId: string; redisUser: string | null; credential: string };

describe("carve-agent join", () => {
  it("joins a host with its one-time token: Up with what libvirt reports, its pool linked, its own Redis user; the token works once", async () => {
    const node = await writeTestNodeXml({ dir: join(stack.dir, "node-j1"), cpus: 12, memoryMiB: 24_576 });
    const host = await addHost(stack.core, admin, { name: "joined-1", uri: node.uri });
    await addPool(stack.core, admin, { name: "pool-j1", hosts: ["joined-1"], libvirtName: TEST_POOL, path: node.pools[0]?.path ?? "" });
    const config = join(stack.dir, "joined-1", "agent.json");

    const started = Date.now();
    const joined = await runAgentJoin(stack, host.joinToken.token, node.uri, config);
    expect(joined.stderr).toBe("");
    expect(joined.code).toBe(0);
    expect(joined.stdout).toContain(`joined as host joined-1 (${host.id})`);
    expect(joined.stdout).toContain(`pool ${TEST_POOL} (${node.pools[0]?.path}): linked to Carve pool pool-j1`);
    console.info(`[join] carve-agent join took ${Date.now() - started} ms`);
    expect((await stat(config)).mode & 0o777).toBe(0o600);
    const written = await readConfig(config);
    expect(written).toMatchObject({ hostId: host.id, redisUser: `carve-host-${host.id}` });
    expect(joined.stdout).not.toContain(written.credential);

    await startJoinedAgent(stack, "joined-1", config);
    await hostUp(host.id);
    expect(await stack.core.db.host.findUniqueOrThrow({ where: { id: host.id } })).toMatchObject({ state: "Up", cpus: 12, memoryMiB: 24_576, hypervisor: "test" });

    // The agent's jobs run under its own Redis user: a VM goes from request to Running.
    await addTemplate(stack.core, admin, { name: "tiny", pools: ["pool-j1"], volume: TEST_TEMPLATE });
    await createOffering(stack.core, admin, { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 });
    const { job } = await createVm(stack.core, dev, { name: "web-1", template: "tiny", offering: "small" });
    expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
    expect((await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: "web-1" })).id)).state).toBe("Succeeded");

    // That user reaches its own queue's keys and nothing else.
    const own = new Redis(stack.redisUrl, { username: written.redisUser ?? "", password: written.credential, maxRetriesPerRequest: 1 });
    try {
      expect(await own.get(hostHeartbeatKey(stack.prefix, host.id))).toContain('"cpus":12');
      await expect(own.lpush(`${stack.prefix}:host.00000000-0000-4000-8000-000000000000:wait`, "x")).rejects.toThrow(/NOPERM/);
      await expect(own.scan(0)).rejects.toThrow(/NOPERM/);
    } finally {
      own.disconnect();
    }

    const reused = await runAgentJoin(stack, host.joinToken.token, node.uri, join(stack.dir, "joined-1", "again.json"));
    expect(reused.code).toBe(1);
    expect(reused.stderr).toMatch(/the controller refused the join \(JOIN_TOKEN_INVALID\): This join token was already used .*'carve host join-token joined-1'/);

    // Both joins are in the audit trail as the controller's, without the token or the credential.
    const joins = await stack.core.db.auditEntry.findMany({ where: { action: "host.join" }, orderBy: { id: "asc" }, select: { via: true, targetId: true, outcome: true, errorCode: true } });
    expect(joins).toEqual([
      { via: "controller", targetId: host.id, outcome: "ok", errorCode: null },
      { via: "controller", targetId: null, outcome: "refused", errorCode: "JOIN_TOKEN_INVALID" },
    ]);
    const audit = await stack.core.db.$queryRaw<{ row: string }[]>`SELECT row_to_json(a)::text AS row FROM "AuditEntry" a`;
    for (const secret of [host.joinToken.token, written.credential]) expect(audit.map((a) => a.row).join("\n")).not.toContain(secret);
  });

  it("refuses an expired token with a message that says how to get a new one", async () => {
    const node = await writeTestNodeXml({ dir: join(stack.dir, "node-j2") });
    const host = await addHost(stack.core, admin, { name: "joined-2", uri: node.uri, joinTokenTtlMinutes: 1 });
    // An hour passes (the controller runs on real time, so the token is aged instead).
    await stack.core.db.oneTimeToken.updateMany({ where: { hostId: host.id }, data: { expiresAt: new Date(Date.now() - 3_600_000) } });
    const result = await runAgentJoin(stack, host.joinToken.token, node.uri, join(stack.dir, "joined-2", "agent.json"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/This join token expired at \S+\. Ask an administrator for a new one \('carve host join-token joined-2'\)/);
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: host.id } })).state).toBe("Disconnected");
    await expect(stat(join(stack.dir, "joined-2", "agent.json"))).rejects.toThrow(/ENOENT/);
  });
});


describe("re-joining a removed host (real libvirtd)", () => {
  it("adopts the libvirt pools it still has: the registered one is linked again, a stale one is listed, nothing is refused", async () => {
    const { uri } = await ensureLibvirtd();
    const id = randomBytes(4).toString("hex");
    const pool = await ensureDirPool(`carve-rejoin-${id}`, join(E2E_POOL_ROOT, `rejoin-${id}`), uri);
    cleanup.push("remove the pool", () => removeDirPool(pool, uri));
    const name = `real-${id}`;
    const first = await addHost(stack.core, admin, { name, uri });
    await addPool(stack.core, admin, { name: `images-${id}`, hosts: [name], libvirtName: pool.name, path: pool.path });
    const config = join(stack.dir, name, "agent.json");
    expect((await runAgentJoin(stack, first.joinToken.token, uri, config)).code).toBe(0);
    const oldCredential = await readConfig(config);
    const agent = await startJoinedAgent(stack, name, config);
    await hostUp(first.id);

    // Removed while its pool stays defined in libvirt; an older install left another pool behind.
    await agent.stop();
    await removeHost(stack.core, admin, { host: name });
    const stale = await ensureDirPool(`carve-stale-${id}`, join(E2E_POOL_ROOT, `stale-${id}`), uri);
    cleanup.push("remove the stale pool", () => removeDirPool(stale, uri));
    const redis = new Redis(stack.redisUrl);
    cleanup.push("close redis", async () => redis.disconnect());
    await until(async () => !((await redis.call("ACL", "USERS")) as string[]).includes(hostRedisUser(first.id)), 15_000, "the removed host's Redis user to be deleted");

    const again = await addHost(stack.core, admin, { name, uri });
    expect(again.id).toBe(first.id);
    const started = Date.now();
    const rejoined = await runAgentJoin(stack, again.joinToken.token, uri, config);
    console.info(`[join] re-join on qemu:///system took ${Date.now() - started} ms`);
    expect(rejoined.stderr).toBe("");
    expect(rejoined.code).toBe(0);
    expect(rejoined.stdout).toContain(`pool ${pool.name} (${pool.path}): linked to Carve pool images-${id}`);
    expect(rejoined.stdout).toContain(`pool ${stale.name} (${stale.path}): unknown to Carve — not registered in Carve: 'carve pool add NAME --host ${name} --libvirt-name ${stale.name} --path ${stale.path}' makes it usable`);
    expect((await readConfig(config)).credential).not.toBe(oldCredential.credential);

    await startJoinedAgent(stack, `${name}-again`, config);
    await hostUp(first.id);
    const host = await stack.core.db.host.findUniqueOrThrow({ where: { id: first.id } });
    expect(host).toMatchObject({ state: "Up", hypervisor: "qemu" });
    expect(host.cpus).toBeGreaterThan(0);
    // Unhealthy while its host was removed; Up again from the re-joined host's pool report.
    await until(async () => (await stack.core.db.storagePool.findFirstOrThrow({ where: { name: `images-${id}` } })).state === "Up", 15_000, "the re-linked pool to be Up");
    const images = await stack.core.db.storagePool.findFirstOrThrow({ where: { name: `images-${id}` } });
    expect(images.capacityBytes).toBeGreaterThan(0n);
    // The credential of the host's first life no longer opens Redis.
    const old = new Redis(stack.redisUrl, { username: hostRedisUser(first.id), password: oldCredential.credential, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    old.on("error", () => undefined);
    await expect(old.connect().then(() => old.ping())).rejects.toThrow();
    old.disconnect();
  });
});
