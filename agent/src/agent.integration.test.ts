import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, domainName, envelope, hostHeartbeatKey, type TJobPayload } from "@carve/protocol";
import { startTestAgent, type TTestAgent } from "./testing/index.ts";

let t: TTestAgent;
beforeEach(async () => {
  t = await startTestAgent({ redisUrl: process.env.REDIS_URL });
});
afterEach(async () => {
  await t?.close();
});

/** A vm.create payload for a fresh VM on the default test pool. */
function createPayload(overrides: Partial<TJobPayload<"vm.create">> = {}): TJobPayload<"vm.create"> {
  const volumeId = randomUUID();
  return {
    vmId: randomUUID(),
    title: `hostile <>&'" title`,
    vcpus: 2,
    memoryMiB: 512,
    rootVolume: { volumeId, pool: "default", name: `carve-${volumeId}.qcow2`, sizeGiB: 10 },
    template: { pool: "default", name: "template.qcow2", format: "qcow2" },
    ...overrides,
  };
}

/** The Carve volumes (not the template) in the default pool. */
async function rootVolumes(): Promise<string[]> {
  return (await t.agent.hypervisor.listVolumes("default")).filter((v) => v !== "template.qcow2");
}

describe("agent on libvirt's test driver", () => {
  it("creates a running domain with one root volume, without progress noise when it is fast", async () => {
    const payload = createPayload();
    const job = await t.submit("vm.create", envelope("vm.create", randomUUID(), payload));
    const outcome = await t.outcome(job);
    expect(outcome).toMatchObject({ state: "completed", result: { vmId: payload.vmId, domainUuid: payload.vmId, state: "running" } });
    // A job that ends within the agent's 250 ms progress interval reports no step: its result says it.
    expect((await t.queue.getJob(job.id ?? ""))?.progress).toBe(0);
    const domain = await t.agent.hypervisor.getDomain(domainName(payload.vmId));
    expect(domain).toEqual({ name: domainName(payload.vmId), uuid: payload.vmId, state: "running" });
    expect(await rootVolumes()).toEqual([payload.rootVolume.name]);
  });

  it("reports each root volume's real path, also when it knows the pool's directory without asking", async () => {
    for (const payload of [createPayload(), createPayload(), createPayload()]) {
      const result = (await t.run("vm.create", payload)) as { rootVolumePath: string };
      expect(result.rootVolumePath).toBe(await t.agent.hypervisor.volumePath(payload.rootVolume.pool, payload.rootVolume.name));
    }
  });

  it("converges when the same create is delivered twice", async () => {
    const payload = createPayload();
    const jobs = await Promise.all([1, 2].map(() => t.submit("vm.create", envelope("vm.create", randomUUID(), payload))));
    const outcomes = await Promise.all(jobs.map((job) => t.outcome(job)));
    expect(outcomes.map((o) => o.state)).toEqual(["completed", "completed"]);
    const ours = (await t.agent.hypervisor.listDomains()).filter((d) => d.uuid === payload.vmId);
    expect(ours).toHaveLength(1);
    expect(await rootVolumes()).toEqual([payload.rootVolume.name]);
  });

  it("stops, starts, reboots and destroys, leaving no domain and no volume", async () => {
    const payload = createPayload();
    const { vmId, rootVolume } = payload;
    await t.run("vm.create", payload);
    const name = domainName(vmId);
    await expect(t.run("vm.stop", { vmId, gracefulTimeoutSec: 5 })).resolves.toEqual({ vmId, state: "stopped", forced: false });
    expect((await t.agent.hypervisor.getDomain(name))?.state).toBe("stopped");
    await expect(t.run("vm.start", { vmId })).resolves.toMatchObject({ state: "running" });
    await expect(t.run("vm.reboot", { vmId })).resolves.toEqual({ vmId, state: "running", forced: false });
    expect((await t.agent.hypervisor.getDomain(name))?.state).toBe("running");
    const volumes = [{ volumeId: rootVolume.volumeId, pool: rootVolume.pool, name: rootVolume.name }];
    await expect(t.run("vm.destroy", { vmId, volumes })).resolves.toEqual({ vmId, removedDomain: true, removedVolumes: [rootVolume.name] });
    expect(await t.agent.hypervisor.getDomain(name)).toBeNull();
    expect(await rootVolumes()).toEqual([]);
  });

  it("fails for good with libvirt's message when the pool does not exist", async () => {
    const payload = createPayload();
    const data = envelope("vm.create", randomUUID(), { ...payload, rootVolume: { ...payload.rootVolume, pool: "nopool" } });
    const outcome = await t.outcome(await t.submit("vm.create", data, { attempts: 3, backoff: { type: "fixed", delay: 10 } }));
    expect(outcome).toMatchObject({ state: "failed", attemptsMade: 1 });
    expect(outcome.state === "failed" && outcome.reason).toMatch(/Storage pool not found: no storage pool with matching name 'nopool'/);
    expect(await t.agent.hypervisor.getDomain(domainName(payload.vmId))).toBeNull();
  });

  it("fails for good with libvirt's message when the template is missing", async () => {
    const payload = createPayload({ template: { pool: "default", name: "missing.qcow2", format: "qcow2" } });
    const outcome = await t.outcome(await t.submit("vm.create", envelope("vm.create", randomUUID(), payload), { attempts: 3 }));
    expect(outcome).toMatchObject({ state: "failed", attemptsMade: 1 });
    expect(outcome.state === "failed" && outcome.reason).toMatch(/template volume missing.qcow2 .*Storage volume not found/);
  });

  it("refuses a job of another protocol version with a clear message", async () => {
    const data = { ...envelope("vm.start", randomUUID(), { vmId: randomUUID() }), protocolVersion: PROTOCOL_VERSION + 1 };
    const outcome = await t.outcome(await t.submit("vm.start", data, { attempts: 3 }));
    expect(outcome).toMatchObject({ state: "failed", attemptsMade: 1 });
    expect(outcome.state === "failed" && outcome.reason).toContain(
      `protocol version mismatch: job`,
    );
    expect(outcome.state === "failed" && outcome.reason).toContain(`speaks protocol v${PROTOCOL_VERSION + 1}, this agent speaks v${PROTOCOL_VERSION}`);
  });

  it("reports inventory of node, domains and pools", async () => {
    const payload = createPayload();
    await t.run("vm.create", payload);
    const inventory = await t.run("host.inventory", {});
    expect(inventory.cpus).toBe(8);
    expect(inventory.domains).toContainEqual({ name: domainName(payload.vmId), uuid: payload.vmId, state: "running" });
    expect(inventory.pools).toEqual([expect.objectContaining({ name: "default", volumes: expect.arrayContaining([payload.rootVolume.name, "template.qcow2"]) })]);
  });

  it("keeps a heartbeat key with a TTL", async () => {
    const key = hostHeartbeatKey(t.prefix, t.hostId);
    const ttl = await t.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    const beat = JSON.parse((await t.redis.get(key)) ?? "{}") as Record<string, unknown>;
    expect(beat).toMatchObject({ cpus: 8, memoryMiB: 16_384, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0" });
    expect(Date.parse(String(beat.at))).toBeGreaterThan(Date.now() - 60_000);
  });
});
