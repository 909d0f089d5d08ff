import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dataVolumeName } from "@carve/protocol";
import { startTestAgent, TEST_POOL, TEST_TEMPLATE, type TTestAgent } from "../testing/index.ts";

let t: TTestAgent;
beforeEach(async () => {
  t = await startTestAgent({
    redisUrl: process.env.REDIS_URL,
    node: { pools: [{ name: TEST_POOL, volumes: [{ name: TEST_TEMPLATE }] }, { name: "stale-images" }] },
  });
});
afterEach(async () => {
  await t?.close();
});

const stalePath = () => t.node.pools.find((p) => p.name === "stale-images")?.path ?? "";

describe("pool.define on libvirt's test driver", () => {
  it("adopts a libvirt pool with the same target under another name instead of failing", async () => {
    const poolId = randomUUID();
    const result = await t.run("pool.define", { poolId, name: "images", kind: "dir", path: stalePath() });
    expect(result).toMatchObject({ poolId, name: "stale-images", adopted: true });
    expect(result.capacityBytes).toBeGreaterThan(0);
    const pools = await t.agent.hypervisor.listPoolDetails();
    expect(pools.filter((p) => p.path === stalePath()).map((p) => p.name)).toEqual(["stale-images"]);
    expect(pools.map((p) => p.name)).not.toContain("images");
  });

  it("defines, builds and starts a new dir pool, and a second delivery converges on it", async () => {
    const path = join(t.node.dir, "pools", "fresh");
    const payload = { poolId: randomUUID(), name: "fresh", kind: "dir" as const, path };
    expect(await t.run("pool.define", payload)).toMatchObject({ name: "fresh", adopted: false });
    expect(await t.run("pool.define", payload)).toMatchObject({ name: "fresh", adopted: true });
    expect((await t.agent.hypervisor.listPools()).find((p) => p.name === "fresh")).toMatchObject({ active: true });
  });

  it("defines a netfs pool with its server and export; refuses a name libvirt uses for another target", async () => {
    const path = join(t.node.dir, "pools", "nas");
    expect(await t.run("pool.define", { poolId: randomUUID(), name: "nas", kind: "netfs", path, source: { host: "nas.example", path: "/export/vms" } })).toMatchObject({ name: "nas", adopted: false });
    const details = (await t.agent.hypervisor.listPoolDetails()).find((p) => p.name === "nas");
    expect(details).toMatchObject({ type: "netfs", path });
    await expect(t.run("pool.define", { poolId: randomUUID(), name: "nas", kind: "dir", path: join(t.node.dir, "elsewhere") })).rejects.toThrow(
      /already has a pool named nas with target .*nas, not .*elsewhere/,
    );
  });
});

describe("data volumes on libvirt's test driver", () => {
  it("creates a VM with a data disk, detaches and re-attaches it while stopped, deletes it; each step converges when repeated", async () => {
    const vmId = randomUUID();
    const rootId = randomUUID();
    const dataId = randomUUID();
    const data = { volumeId: dataId, pool: TEST_POOL, name: dataVolumeName(dataId) };
    await t.run("vm.create", {
      vmId, title: "disks", vcpus: 1, memoryMiB: 64, start: false,
      rootVolume: { volumeId: rootId, pool: TEST_POOL, name: `carve-${rootId}.qcow2`, sizeGiB: 1 },
      template: { pool: TEST_POOL, name: TEST_TEMPLATE, format: "qcow2" },
      dataVolumes: [{ ...data, sizeGiB: 2, deviceIndex: 1 }],
    }); // prettier-ignore
    const domain = `carve-${vmId}`;
    expect(await t.agent.hypervisor.domainXml(domain)).toMatch(/<target dev=["']vdb["']/);
    expect(await t.agent.hypervisor.listVolumes(TEST_POOL)).toContain(data.name);

    expect(await t.run("volume.detach", { ...data, vmId, deviceIndex: 1 })).toMatchObject({ live: false, alreadyDetached: false });
    expect(await t.agent.hypervisor.domainXml(domain)).not.toMatch(/dev=["']vdb["']/);
    expect(await t.run("volume.detach", { ...data, vmId, deviceIndex: 1 })).toMatchObject({ alreadyDetached: true });
    expect(await t.run("volume.attach", { ...data, vmId, deviceIndex: 2 })).toMatchObject({ target: "vdc", live: false, alreadyAttached: false });
    expect(await t.run("volume.attach", { ...data, vmId, deviceIndex: 2 })).toMatchObject({ alreadyAttached: true });
    expect(await t.agent.hypervisor.domainXml(domain)).toMatch(/dev=["']vdc["']/);

    // The test driver has no device hot-plug: a running VM's attach is refused with the reason.
    await t.agent.hypervisor.startDomain(domain);
    const otherId = randomUUID();
    const other = { volumeId: otherId, pool: TEST_POOL, name: dataVolumeName(otherId) };
    expect(await t.run("volume.create", { ...other, sizeGiB: 1 })).toMatchObject({ alreadyPresent: false });
    expect(await t.run("volume.create", { ...other, sizeGiB: 1 })).toMatchObject({ alreadyPresent: true });
    await expect(t.run("volume.attach", { ...other, vmId, deviceIndex: 3 })).rejects.toThrow(/test driver cannot attach a running domain's disk/);

    expect(await t.run("volume.delete", other)).toEqual({ volumeId: otherId, removed: true });
    expect(await t.run("volume.delete", other)).toEqual({ volumeId: otherId, removed: false });
    expect(await t.agent.hypervisor.listVolumes(TEST_POOL)).not.toContain(other.name);
  });
});

describe("files a pool holds behind Carve's back (issue 19)", () => {
  it("the inventory reports each volume's capacity; drift.remove deletes a leftover Carve disk once, and refuses a file Carve did not name", async () => {
    const leftId = randomUUID();
    const left = { volumeId: leftId, pool: TEST_POOL, name: dataVolumeName(leftId) };
    await t.run("volume.create", { ...left, sizeGiB: 2 });
    const inventory = await t.run("host.inventory", {});
    const pool = inventory.pools.find((p) => p.name === TEST_POOL);
    expect(pool?.volumes).toContain(left.name);
    expect(pool?.sizes?.[left.name]).toBe(2 * 1024 ** 3);

    expect(await t.run("drift.remove", { kind: "volume", pool: TEST_POOL, name: left.name })).toEqual({ removed: true });
    expect(await t.agent.hypervisor.listVolumes(TEST_POOL)).not.toContain(left.name);
    // Delivered again (at least once): already gone is fine.
    expect(await t.run("drift.remove", { kind: "volume", pool: TEST_POOL, name: left.name })).toEqual({ removed: false });
    // The template (or anybody's file) is never a drift.remove's to delete.
    await expect(t.run("drift.remove", { kind: "volume", pool: TEST_POOL, name: TEST_TEMPLATE })).rejects.toThrow(/Carve-named volume/);
    expect(await t.agent.hypervisor.listVolumes(TEST_POOL)).toContain(TEST_TEMPLATE);
  });
});
