import { writeTestNodeXml, TEST_POOL, TEST_TEMPLATE } from "@carve/agent/testing";

/**
 * The demo host: a libvirt test-driver node with one directory pool holding the template image.
 * It works on any machine; the agent keeps its state in its own process.
 */
export async function writeDemoNode(dir: string) {
  const node = await writeTestNodeXml({ dir, cpus: 16, memoryMiB: 32_768 });
  return { uri: node.uri, pool: TEST_POOL, poolPath: node.pools[0]?.path ?? dir, templateVolume: TEST_TEMPLATE };
}
