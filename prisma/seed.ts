import { addHost, addPool, addTemplate, createNetwork, createOffering, defineNetwork, isCarveError, listOfferings, operatorActor, resolveHost, type CoreDeps } from "@carve/core";

/** The demo's default network: VMs get 10.123.0.10 onwards, named <vm>.demo.internal. */
const DEMO_NETWORK = { name: "demo-lan", cidr: "10.123.0.0/24", gateway: "10.123.0.1", rangeStart: "10.123.0.10", rangeEnd: "10.123.0.250", dnsDomain: "demo.internal" } as const;

export interface TDemoSeed {
  hostName: string;
  /** libvirt URI of the demo host's agent. */
  uri: string;
  /** The pool's name in libvirt and the template image's volume name in it. */
  libvirtPool: string;
  poolPath: string;
  templateVolume: string;
}

/**
 * Seeds a demo through the same use-cases an admin runs (no hand-written rows): one host, its
 * pool, the `tiny` template, two offerings and, when there is no network yet, the default Managed
 * network `demo-lan` (so each demo VM gets an address and a DNS name). Does nothing for what
 * already exists, except that it defines `demo-lan` on the host again: libvirt's test driver keeps
 * its networks only as long as the agent's process.
 */
export async function seedDemo(core: CoreDeps, seed: TDemoSeed): Promise<{ hostId: string }> {
  const actor = await operatorActor(core);
  const existing = await resolveHost(core.db, seed.hostName).catch((error: unknown) => {
    if (isCarveError(error) && error.code === "HOST_NOT_FOUND") return null;
    throw error;
  });
  const host = existing ?? (await addHost(core, actor, { name: seed.hostName, uri: seed.uri }));
  if ((await core.db.storagePool.count({ where: { name: "demo-pool" } })) === 0) {
    await addPool(core, actor, { name: "demo-pool", hosts: [host.id], libvirtName: seed.libvirtPool, path: seed.poolPath, scope: "Local" });
  }
  if ((await core.db.template.count({ where: { name: "tiny" } })) === 0) {
    await addTemplate(core, actor, { name: "tiny", pools: ["demo-pool"], volume: seed.templateVolume, format: "qcow2", description: "A tiny bootable demo image" });
  }
  const offerings = new Set((await listOfferings(core, actor)).map((o) => o.name));
  if (!offerings.has("small")) await createOffering(core, actor, { name: "small", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1, description: "1 vCPU, 512 MiB" });
  if (!offerings.has("medium")) await createOffering(core, actor, { name: "medium", vcpus: 2, memoryMiB: 2048, rootDiskGiB: 10, description: "2 vCPUs, 2 GiB" });
  if ((await core.db.network.count()) === 0) {
    await createNetwork(core, actor, { ...DEMO_NETWORK, kind: "Managed", hosts: [host.id], isDefault: true, description: "The demo's guest network (NAT)" });
  } else if ((await core.db.networkHost.count({ where: { hostId: host.id, network: { name: DEMO_NETWORK.name } } })) > 0) {
    await defineNetwork(core, actor, { network: DEMO_NETWORK.name, host: host.id });
  }
  return { hostId: host.id };
}
