import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVm, destroyVm, getVm, inspectHost, listVms, rebootVm, startVm, stopVm, type TActor } from "@carve/core";
import { domainName } from "@carve/protocol";
import { Stack } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";

type TInventory = { domains: { name: string; state: string }[]; pools: { name: string; volumes: string[] }[] };

let stack: Stack;
let admin: TActor;
let dev: TActor;
let hosts: { id: string; name: string }[];

async function inventory(hostId: string): Promise<TInventory> {
  const job = await stack.finish(admin, (await inspectHost(stack.core, admin, hostId)).id);
  expect(job.state).toBe("Succeeded");
  return job.result as TInventory;
}

beforeAll(async () => {
  stack = await new Stack().init();
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  hosts = await addTestHosts(stack, admin, { count: 2 });
});

afterAll(async () => {
  await stack?.stop();
});

describe("full stack: core → BullMQ → two agents on libvirt's test driver → controller", () => {
  it("creates 20 VMs concurrently; all reach Running, each defined on the host the database names", async () => {
    const started = Date.now();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createVm(stack.core, dev, { name: `batch-${i}`, template: "tiny", offering: "small" })),
    );
    const jobs = await Promise.all(created.map(({ job }) => stack.finish(dev, job.id)));
    console.log(`20-VM batch: request → all Running in ${Date.now() - started} ms`);
    expect(jobs.map((j) => j.state)).toEqual(Array(20).fill("Succeeded"));
    const vms = (await listVms(stack.core, dev, { limit: 50 })).items;
    expect(vms).toHaveLength(20);
    expect(vms.every((vm) => vm.state === "Running")).toBe(true);
    for (const host of hosts) {
      const inv = await inventory(host.id);
      const here = vms.filter((vm) => vm.host?.id === host.id);
      expect(here.length).toBeGreaterThan(0);
      expect(inv.domains.filter((d) => d.name.startsWith("carve-")).map((d) => d.name).sort()).toEqual(here.map((vm) => domainName(vm.id)).sort());
      expect(inv.domains.filter((d) => d.name.startsWith("carve-")).every((d) => d.state === "running")).toBe(true);
      const rootVolumes = inv.pools.flatMap((p) => p.volumes).filter((v) => v.startsWith("carve-"));
      expect(rootVolumes).toHaveLength(here.length);
    }
  });

  it("stops (gracefully), starts, reboots and destroys a VM; destroy leaves no domain and no volume", async () => {
    const vm = await getVm(stack.core, dev, { vm: "batch-0" });
    const hostId = vm.host?.id ?? "";
    const stop = await stack.finish(dev, (await stopVm(stack.core, dev, { vm: "batch-0" })).id);
    expect(stop.result).toMatchObject({ state: "stopped" });
    expect((await getVm(stack.core, dev, { vm: "batch-0" })).state).toBe("Stopped");
    expect((await inventory(hostId)).domains.find((d) => d.name === domainName(vm.id))?.state).toBe("stopped");

    await stack.finish(dev, (await startVm(stack.core, dev, { vm: "batch-0" })).id);
    expect((await getVm(stack.core, dev, { vm: "batch-0" })).state).toBe("Running");
    await stack.finish(dev, (await rebootVm(stack.core, dev, { vm: "batch-0" })).id);
    expect((await getVm(stack.core, dev, { vm: "batch-0" })).state).toBe("Running");

    const destroy = await stack.finish(dev, (await destroyVm(stack.core, dev, { vm: "batch-0" })).id);
    expect(destroy.state).toBe("Succeeded");
    const inv = await inventory(hostId);
    expect(inv.domains.map((d) => d.name)).not.toContain(domainName(vm.id));
    const rootVolume = vm.volumes[0];
    expect(inv.pools.flatMap((p) => p.volumes).some((v) => rootVolume !== undefined && v.includes(rootVolume.id))).toBe(false);
  });

  it("destroying every VM gives all capacity back and leaves the hosts empty", async () => {
    const vms = (await listVms(stack.core, dev, { limit: 50 })).items;
    const jobs = await Promise.all(vms.map(async (vm) => stack.finish(dev, (await destroyVm(stack.core, dev, { vm: vm.id })).id)));
    expect(jobs.every((j) => j.state === "Succeeded")).toBe(true);
    for (const host of hosts) {
      const inv = await inventory(host.id);
      expect(inv.domains.filter((d) => d.name.startsWith("carve-"))).toEqual([]);
      expect(inv.pools.flatMap((p) => p.volumes).filter((v) => v.startsWith("carve-"))).toEqual([]);
    }
    const rows = await stack.core.db.host.findMany();
    expect(rows.map((h) => [h.vcpusAllocated, h.memMiBAllocated])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(await stack.core.db.vm.count({ where: { state: { not: "Destroyed" } } })).toBe(0);
  });
});
