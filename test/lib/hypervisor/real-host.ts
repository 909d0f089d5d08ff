import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { addHost, addPool, addTemplate, createOffering, type TActor } from "@carve/core";
import { afterAll, beforeAll } from "vitest";
import { Stack } from "../stack/stack.ts";
import { createUser } from "../stack/users.ts";
import { CleanupStack } from "./cleanup.ts";
import { ensureDirPool, ensureLibvirtd, removeDirPool } from "./libvirtd.ts";
import { E2E_POOL_ROOT, TINY_IMAGE_CACHE_DIR } from "./paths.ts";
import { importVolume } from "./pool-volumes.ts";
import { buildTinyImage } from "./tiny-image.ts";
import { virsh } from "./virsh.ts";

/**
 * A real hypervisor host for a Carve stack: libvirtd + QEMU (TCG), a fresh directory pool holding
 * the self-built tiny boot image as template `tiny`, the offering `tiny` (1 vCPU, 128 MiB), the
 * host registered through core and its agent started. `cleanup` removes the pool and whatever
 * Carve domains are left.
 */
export async function addRealHost(stack: Stack, admin: TActor) {
  const cleanup = new CleanupStack();
  const { uri } = await ensureLibvirtd();
  const image = await buildTinyImage(TINY_IMAGE_CACHE_DIR);
  const id = randomBytes(4).toString("hex");
  const pool = await ensureDirPool(`carve-e2e-${id}`, join(E2E_POOL_ROOT, id), uri);
  cleanup.push("remove pool", () => removeDirPool(pool, uri));
  await importVolume(pool, image.qcow2Path, "tiny.qcow2", uri);

  const host = await addHost(stack.core, admin, { name: `real-${id}`, uri, cpuOvercommit: 4 });
  cleanup.push("remove leftover domains", () => destroyDomainsOf(stack, host.id, uri));
  await addPool(stack.core, admin, { name: `pool-${id}`, hosts: [host.id], libvirtName: pool.name, path: pool.path });
  await addTemplate(stack.core, admin, { name: "tiny", pools: [`pool-${id}`], volume: "tiny.qcow2" });
  await createOffering(stack.core, admin, { name: "tiny", vcpus: 1, memoryMiB: 128, rootDiskGiB: 1 });
  await stack.startAgent(host.id, uri);
  // Runs first: no agent may still be defining a domain while the leftovers are removed.
  cleanup.push("stop the agent", async () => stack.agents.get(host.id)?.stop());
  await stack.waitForHostsUp();
  const objects = () => carveObjects(stack, uri, pool.name);
  return { host, pool, uri, objects, consoleLog: (vmId: string) => join(stack.dir, "console", `carve-${vmId}.log`), cleanup };
}

export type TRealHost = Awaited<ReturnType<typeof addRealHost>>;

/** A suite on one real host: its stack (controller running), an admin, a developer and the host. */
export interface TRealHostSuite {
  stack: Stack;
  admin: TActor;
  dev: TActor;
  real: TRealHost;
}

/**
 * Registers beforeAll/afterAll hooks that start (and remove) a stack with its controller, the users
 * `ops` (Admin) and `dev` (User), and the real host; the returned object's fields are set once
 * beforeAll has run. `prepare` runs last in beforeAll.
 */
export function useRealHostSuite(prepare?: (suite: TRealHostSuite) => Promise<void>): TRealHostSuite {
  const suite = {} as TRealHostSuite;
  beforeAll(async () => {
    suite.stack = await new Stack().init();
    suite.admin = await createUser(suite.stack.core, "ops", "Admin");
    suite.dev = await createUser(suite.stack.core, "dev", "User");
    await suite.stack.startController();
    suite.real = await addRealHost(suite.stack, suite.admin);
    await prepare?.(suite);
  });
  afterAll(async () => {
    await suite.real?.cleanup.run();
    await suite.stack?.stop();
  });
  return suite;
}

/** Carve domains this stack's VMs left behind on the hypervisor (none when tests pass). */
async function destroyDomainsOf(stack: Stack, hostId: string, uri: string): Promise<void> {
  const vms = await stack.core.db.vm.findMany({ where: { hostId }, select: { id: true } });
  for (const { id } of vms) {
    await virsh(uri, ["destroy", `carve-${id}`]).catch(() => undefined);
    await virsh(uri, ["undefine", `carve-${id}`]).catch(() => undefined);
  }
}

/**
 * The domains of this stack's VMs and the Carve volumes in its pool, as libvirt itself lists them
 * (the daemon is shared with other runs, so domains are matched against this stack's VMs).
 */
async function carveObjects(stack: Stack, uri: string, pool: string): Promise<{ domains: string[]; volumes: string[] }> {
  const ours = new Set((await stack.core.db.vm.findMany({ select: { id: true } })).map((vm) => `carve-${vm.id}`));
  const domains = (await virsh(uri, ["list", "--all", "--name"])).split("\n").map((s) => s.trim()).filter((s) => ours.has(s));
  await virsh(uri, ["pool-refresh", pool]);
  const volumes = (await virsh(uri, ["vol-list", "--pool", pool]))
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name.startsWith("carve-"));
  return { domains, volumes };
}
