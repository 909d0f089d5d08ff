import { statfs } from "node:fs/promises";
import { dirname } from "node:path";
import type { TDiskSpec } from "../hypervisor.ts";

/**
 * statfs(2) magic numbers of network and cluster filesystems: disks there are shared between
 * hosts, and libvirt migrates a VM whose disks stay on them only when the host page cache is off
 * (`cache='none'`); otherwise the target could read blocks the source has not written back yet.
 */
const SHARED_FILESYSTEMS = new Map<number, string>([
  [0x6969, "nfs"],
  [0xff534d42, "cifs"],
  [0xfe534d42, "smb2"],
  [0x01161970, "gfs2"],
  [0x7461636f, "ocfs2"],
  [0x00c36400, "ceph"],
  [0x65735546, "fuse (glusterfs)"],
  [0x47504653, "gpfs"],
]);

/** Whether a directory is on a network or cluster filesystem; remembered per directory. */
export class SharedFilesystemProbe {
  private readonly known = new Map<string, Promise<boolean>>();

  isShared(directory: string): Promise<boolean> {
    let answer = this.known.get(directory);
    if (answer === undefined) {
      // A directory that cannot be read is not known to be shared: libvirt will report the real problem.
      answer = statfs(directory).then((stats) => SHARED_FILESYSTEMS.has(stats.type), () => false);
      this.known.set(directory, answer);
    }
    return answer;
  }

  /** The disk with `cache: "none"` when its file lives on a shared filesystem. */
  async withCacheMode<D extends TDiskSpec>(disk: D): Promise<D> {
    return (await this.isShared(dirname(disk.path))) ? { ...disk, cache: "none" } : disk;
  }
}
