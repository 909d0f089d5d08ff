import { join } from "node:path";
import { addHost, addPool, addTemplate, createOffering, type TActor } from "@carve/core";
import { TEST_POOL, TEST_TEMPLATE, writeTestNodeXml } from "@carve/agent/testing";
import type { Stack } from "./stack.ts";

export interface TTestHostsOptions {
  count: number;
  cpus?: number;
  memoryMiB?: number;
  /** More settings for every agent, e.g. CARVE_AGENT_METRICS_PORT. */
  agentEnv?: Record<string, string>;
}

/**
 * Registers `count` hosts through core as an admin, each with its own libvirt test-driver node
 * file and local pool holding the template, the template `tiny` with a copy in every pool, and
 * the offering `small`; then starts one agent per host and waits until they are all Up.
 */
export async function addTestHosts(stack: Stack, admin: TActor, options: TTestHostsOptions) {
  const hosts = [];
  for (let i = 1; i <= options.count; i++) {
    const node = await writeTestNodeXml({ dir: join(stack.dir, `node-${i}`), cpus: options.cpus ?? 16, memoryMiB: options.memoryMiB ?? 32_768 });
    const host = await addHost(stack.core, admin, { name: `host-${i}`, uri: node.uri });
    await addPool(stack.core, admin, { name: `pool-${i}`, hosts: [host.id], libvirtName: TEST_POOL, path: node.pools[0]?.path ?? node.dir });
    hosts.push({ host, node });
  }
  await addTemplate(stack.core, admin, { name: "tiny", pools: hosts.map((_, i) => `pool-${i + 1}`), volume: TEST_TEMPLATE });
  await createOffering(stack.core, admin, { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 });
  // Started together: each agent spends its start-up mostly compiling TypeScript and waiting on its own loader.
  await Promise.all(hosts.map(({ host, node }) => stack.startAgent(host.id, node.uri, options.agentEnv)));
  await stack.waitForHostsUp();
  return hosts.map(({ host }) => host);
}
