import { HypervisorError, libvirtFailure, messageOf } from "../errors.ts";
import type { TCowVolumeRequest, TPoolDetail, TPoolStatus } from "../hypervisor.ts";
import { VirshArgumentError } from "./virsh-args.ts";
import { VirshCommandError, type VirshSession } from "./virsh-session.ts";
import { parsePoolInfo, parsePoolXml, parseVolumeCapacity, parseVolumeList } from "./virsh-output.ts";

const VOLUME_NOT_FOUND = /storage volume not found|no storage vol with matching/i;
const POOL_NOT_FOUND = /storage pool not found|no storage pool with matching/i;

/**
 * Storage pools and volumes through the agent's one interactive virsh session (the binding has no
 * storage calls). Every argument passes the virsh whitelist before it is written.
 */
export class VirshStorage {
  /**
   * Paths of template volumes that root disks were cloned from, by "pool/name": every create of a
   * template asks, and its answer does not change while the volume exists. An entry is dropped
   * when a clone from it fails, so a deleted or moved template is looked up afresh.
   */
  private readonly backingPaths = new Map<string, string>();
  /**
   * The directory each pool keeps its volumes in, once a volume's path has shown it (the path ends
   * in "/<volume name>", as in directory and network-filesystem pools): a create then knows its new
   * volume's path without asking. Pools whose paths are not built that way are never entered.
   */
  private readonly volumeDirs = new Map<string, string>();

  /** The agent's one virsh session, shared with the guest adapter (virsh-guest.ts). */
  constructor(private readonly session: VirshSession) {}

  /** Pools with their usage; inactive pools report zeros. */
  async listPools(): Promise<TPoolStatus[]> {
    const names = (await this.run("libvirt could not list storage pools", ["pool-list", "--all", "--name"]))
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
    const pools: TPoolStatus[] = [];
    for (const name of names) {
      const info = await this.run(`libvirt could not read storage pool ${name}`, ["pool-info", "--bytes", name]);
      pools.push(parsePoolInfo(name, info));
    }
    return pools;
  }

  /** Pools with their usage, type and target path (one more virsh call per pool). */
  async listPoolDetails(): Promise<TPoolDetail[]> {
    const pools: TPoolDetail[] = [];
    for (const pool of await this.listPools()) {
      const xml = await this.run(`libvirt could not describe storage pool ${pool.name}`, ["pool-dumpxml", pool.name]);
      pools.push({ ...pool, ...parsePoolXml(xml) });
    }
    return pools;
  }

  /** Re-reads a pool's volumes from its backing storage. */
  async refreshPool(pool: string): Promise<void> {
    this.volumeDirs.delete(pool);
    await this.run(`libvirt could not refresh storage pool ${pool}`, ["pool-refresh", pool]);
  }

  /** Names of the volumes in a pool. */
  async listVolumes(pool: string): Promise<string[]> {
    return parseVolumeList(await this.run(`libvirt could not list volumes of pool ${pool}`, ["vol-list", "--pool", pool]));
  }

  /** The volume's path, or null when the pool has no such volume. */
  async volumePath(pool: string, name: string): Promise<string | null> {
    try {
      const path = (await this.run(`libvirt could not look up volume ${name} in pool ${pool}`, ["vol-path", "--pool", pool, name])).trim();
      if (path.endsWith(`/${name}`)) this.volumeDirs.set(pool, path.slice(0, -name.length - 1));
      else this.volumeDirs.delete(pool);
      return path;
    } catch (error) {
      if (error instanceof HypervisorError && VOLUME_NOT_FOUND.test(error.libvirtMessage)) return null;
      throw error;
    }
  }

  /** `vol-create-as` a qcow2 overlay of the backing volume; returns the new volume's path. */
  async createCowVolume(request: TCowVolumeRequest): Promise<string> {
    const { pool, name, capacityGiB, backing } = request;
    // By path, so the template may sit in another pool; libvirt's "not found" names what is missing.
    const key = `${backing.pool}/${backing.name}`;
    const backingPath =
      this.backingPaths.get(key) ??
      (
        await this.run(`the template volume ${backing.name} is not usable in pool ${backing.pool}`, [
          "vol-path", "--pool", backing.pool, backing.name,
        ]) // prettier-ignore
      ).trim();
    try {
      await this.run(`libvirt refused to create volume ${name} in pool ${pool}`, [
        "vol-create-as", pool, name, `${capacityGiB}G`,
        // Thin: an overlay starts empty (and the test driver would otherwise count it as full).
        "--allocation", "0",
        "--format", "qcow2",
        "--backing-vol", backingPath,
        "--backing-vol-format", backing.format,
      ]); // prettier-ignore
    } catch (error) {
      this.backingPaths.delete(key);
      this.volumeDirs.delete(pool);
      throw error;
    }
    this.backingPaths.set(key, backingPath);
    const dir = this.volumeDirs.get(pool);
    if (dir !== undefined) return `${dir}/${name}`;
    const path = await this.volumePath(pool, name);
    if (path === null) throw HypervisorError.transient(`volume ${name} vanished from pool ${pool} right after it was created`);
    return path;
  }

  /** Deletes a volume; false when the volume or its pool does not exist. */
  async deleteVolume(pool: string, name: string): Promise<boolean> {
    try {
      await this.run(`libvirt could not delete volume ${name} from pool ${pool}`, ["vol-delete", "--pool", pool, name]);
      return true;
    } catch (error) {
      const missing = VOLUME_NOT_FOUND.test(messageOf(error)) || POOL_NOT_FOUND.test(messageOf(error));
      if (error instanceof HypervisorError && missing) return false;
      throw error;
    }
  }

  /** The volume's capacity in bytes, or null when the pool has no such volume. */
  async volumeCapacity(pool: string, name: string): Promise<number | null> {
    try {
      const info = await this.run(`libvirt could not read volume ${name} in pool ${pool}`, ["vol-info", "--bytes", "--pool", pool, name]);
      const capacity = parseVolumeCapacity(info);
      if (capacity === null) throw HypervisorError.refusal(`virsh vol-info gave no capacity for volume ${name} in pool ${pool}`, info);
      return capacity;
    } catch (error) {
      if (error instanceof HypervisorError && VOLUME_NOT_FOUND.test(error.libvirtMessage)) return null;
      throw error;
    }
  }

  /** `vol-create-as` an empty, thin volume of exactly `capacityBytes`. */
  async createVolume(pool: string, name: string, capacityBytes: number, format: "qcow2" | "raw" | "iso"): Promise<void> {
    await this.run(`libvirt refused to create volume ${name} in pool ${pool}`, [
      "vol-create-as", pool, name, String(capacityBytes), "--allocation", "0", "--format", format,
    ]); // prettier-ignore
  }

  /** `vol-upload`s a file into an existing volume, byte for byte. */
  async uploadVolume(pool: string, name: string, file: string): Promise<void> {
    await this.run(`libvirt could not upload ${file} into volume ${name} of pool ${pool}`, ["vol-upload", "--pool", pool, name, file]);
  }

  /** `vol-resize`s a volume to `capacityGiB` (grow only; libvirt refuses to shrink without --shrink). */
  async resizeVolume(pool: string, name: string, capacityGiB: number): Promise<void> {
    await this.run(`libvirt could not resize volume ${name} in pool ${pool}`, ["vol-resize", "--pool", pool, name, `${capacityGiB}G`]);
  }

  private run(what: string, argv: readonly string[]): Promise<string> {
    return runVirsh(this.session, what, argv);
  }
}

/** Runs a virsh command, mapping session failures to HypervisorError with `what` as context. */
export async function runVirsh(session: VirshSession, what: string, argv: readonly string[]): Promise<string> {
  try {
    return await session.run(argv);
  } catch (error) {
    if (error instanceof VirshCommandError) throw libvirtFailure(what, error.message);
    if (error instanceof VirshArgumentError) throw HypervisorError.refusal(`${what}: ${error.message}`, error.message);
    throw HypervisorError.transient(`${what}: ${messageOf(error)}`, messageOf(error));
  }
}
