import { addHost, addPool, addTemplate, createOffering, isCarveError, listOfferings, operatorActor, resolveHost, type CoreDeps } from "@carve/core";

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
 * pool, the `tiny` template and two offerings. Does nothing for what already exists.
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
  return { hostId: host.id };
}
