import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { openHypervisor, type THypervisor } from "@carve/agent";
import { TEST_POOL, TEST_TEMPLATE, writeTestNodeXml } from "@carve/agent/testing";
import { domainName, rootVolumeName } from "@carve/protocol";
import { onCleanup } from "./cleanup.ts";
import { summarize, timeEach, type TSummary } from "./stats.ts";

export interface TLibvirtCeilingOptions {
  hosts: number;
  /** Total operations in the parallel run. */
  operations: number;
  sequential: number;
  /** Operations in flight per host (the agent's worker concurrency). */
  concurrency: number;
  dir: string;
}

export interface TLibvirtCeiling {
  /** define+start, one at a time on one host. */
  sequential: TSummary;
  /** define+start per second with every host busy at the agent's concurrency. */
  perSecond: number;
  /** What the agent's vm.create handler asks of the hypervisor (volume lookup and clone through virsh, domain lookup, define, start, re-read), one at a time. */
  agentCreate: TSummary;
}

/**
 * Raw libvirt test-driver define+start through the agent's own Hypervisor (openHypervisor with a
 * test:/// node per simulated host, as the agents open them), in this process.
 */
export async function measureLibvirtCeiling(options: TLibvirtCeilingOptions): Promise<TLibvirtCeiling> {
  const hypervisors: THypervisor[] = [];
  onCleanup("close the libvirt ceiling's connections", () => Promise.all(hypervisors.map((h) => h.close())));
  for (let i = 0; i < options.hosts; i++) {
    const node = await writeTestNodeXml({ dir: join(options.dir, `ceiling-node-${i + 1}`), cpus: 1024, memoryMiB: 4 * 1024 * 1024 });
    hypervisors.push(await openHypervisor({ uri: node.uri, consoleLogDir: join(options.dir, "console") }));
  }
  const first = hypervisors[0];
  if (!first) throw new Error("the libvirt ceiling needs at least one host");

  const defineAndStart = async (hypervisor: THypervisor): Promise<void> => {
    const vmId = randomUUID();
    const name = domainName(vmId);
    await hypervisor.defineDomain(name, { vmId, title: "bench", vcpus: 1, memoryMiB: 512, rootDisk: { path: `/nonexistent/${vmId}.qcow2`, format: "qcow2" } });
    await hypervisor.startDomain(name);
  };

  await timeEach(50, 1, () => defineAndStart(first)); // warm-up
  const sequential = await timeEach(options.sequential, 1, () => defineAndStart(first));

  const perHost = Math.max(1, Math.ceil(options.operations / hypervisors.length));
  const start = performance.now();
  await Promise.all(hypervisors.map((h) => timeEach(perHost, options.concurrency, () => defineAndStart(h))));
  const perSecond = (perHost * hypervisors.length) / ((performance.now() - start) / 1000);

  const agentCreate = await timeEach(Math.min(options.sequential, 100), 1, async () => {
    const vmId = randomUUID();
    const volume = rootVolumeName(randomUUID());
    const name = domainName(vmId);
    await first.volumePath(TEST_POOL, volume);
    const path = await first.createCowVolume({ pool: TEST_POOL, name: volume, capacityGiB: 1, backing: { pool: TEST_POOL, name: TEST_TEMPLATE, format: "qcow2" } });
    await first.getDomain(name);
    await first.defineDomain(name, { vmId, title: "bench", vcpus: 1, memoryMiB: 512, rootDisk: { path, format: "qcow2" } });
    await first.startDomain(name);
    await first.getDomain(name);
  });

  return { sequential: summarize(sequential), perSecond, agentCreate: summarize(agentCreate) };
}
