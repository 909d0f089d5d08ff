import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xmlElement } from "../hypervisor/libvirt/xml-element.ts";

/** A volume that exists in a pool from the start (a template). */
export interface TTestVolume {
  name: string;
  capacityGiB?: number;
  format?: "qcow2" | "raw";
}

/** A directory pool of the fake node. */
export interface TTestPool {
  name: string;
  volumes?: TTestVolume[];
}

/** Shape of the fake node; every field has a default. */
export interface TTestNodeOptions {
  /** Directory to write into; a fresh temporary one by default. */
  dir?: string;
  cpus?: number;
  memoryMiB?: number;
  /**
   * Default: one pool `default` holding the template `template.qcow2`. The test driver gives every
   * pool 100 GiB whatever the file says; the agent creates volumes with zero initial allocation,
   * so that only limits templates.
   */
  pools?: TTestPool[];
}

/** A written node file and how to reach it. */
export interface TTestNode {
  /** `test:///<abs path>`: give it to the agent as CARVE_LIBVIRT_URI. */
  uri: string;
  path: string;
  dir: string;
  /** Each pool's name and target directory (volumes are `<path>/<name>`). */
  pools: { name: string; path: string }[];
}

/** The pool and template a default test node has. */
export const TEST_POOL = "default";
export const TEST_TEMPLATE = "template.qcow2";

/**
 * Writes a node XML file for libvirt's test driver (`test:///path`): a fake host with the given
 * CPUs and memory and directory pools with pre-existing template volumes. Every process that opens
 * the URI gets its own fresh copy of this node: nothing is shared between processes.
 */
export async function writeTestNodeXml(options: TTestNodeOptions = {}): Promise<TTestNode> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "carve-node-")));
  const pools = options.pools ?? [{ name: TEST_POOL, volumes: [{ name: TEST_TEMPLATE }] }];
  const cpus = options.cpus ?? 8;

  const node = xmlElement("node");
  const cpu = node.ele("cpu");
  cpu.ele("mhz").txt("2000");
  cpu.ele("model").txt("x86_64");
  cpu.ele("nodes").txt("1");
  cpu.ele("sockets").txt("1");
  cpu.ele("cores").txt(String(cpus));
  cpu.ele("threads").txt("1");
  cpu.ele("active").txt(String(cpus));
  node.ele("memory").txt(String((options.memoryMiB ?? 16_384) * 1024)); // KiB

  const written: TTestNode["pools"] = [];
  for (const pool of pools) {
    const path = join(dir, "pools", pool.name);
    await mkdir(path, { recursive: true });
    written.push({ name: pool.name, path });
    const p = node.ele("pool", { type: "dir" });
    p.ele("name").txt(pool.name);
    p.ele("source");
    p.ele("target").ele("path").txt(path);
    for (const volume of pool.volumes ?? []) {
      const v = p.ele("volume", { type: "file" });
      v.ele("name").txt(volume.name);
      v.ele("key").txt(join(path, volume.name));
      v.ele("capacity", { unit: "GiB" }).txt(String(volume.capacityGiB ?? 1));
      v.ele("allocation", { unit: "MiB" }).txt("16");
      const target = v.ele("target");
      target.ele("path").txt(join(path, volume.name));
      target.ele("format", { type: volume.format ?? "qcow2" });
    }
  }
  const path = join(dir, "node.xml");
  await writeFile(path, `<?xml version="1.0"?>\n${node.render()}\n`);
  return { uri: `test://${path}`, path, dir, pools: written };
}
