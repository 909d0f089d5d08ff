import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HypervisorError } from "../errors.ts";
import type { TDiskSpec } from "../hypervisor.ts";
import { buildDiskXml } from "./domain-xml.ts";
import type { VirshSession } from "./virsh-session.ts";
import { runVirsh } from "./virsh-storage.ts";

/**
 * Disk hot-plug on running domains (the binding has no device calls): `attach-device` and
 * `detach-device` with the builder's `<disk>` XML in a private temporary file, `--live --config` so
 * the change survives the next boot too; `blockresize` to grow a disk the guest is using.
 */
export class VirshDisks {
  constructor(private readonly session: VirshSession) {}

  attach(domain: string, disk: TDiskSpec): Promise<void> {
    return this.withDiskFile(disk, (file) =>
      runVirsh(this.session, `libvirt could not attach disk ${disk.target} to ${domain}`, ["attach-device", domain, file, "--live", "--config"]),
    );
  }

  /** Asks the guest to release the disk; libvirt waits a few seconds for it (the caller checks). */
  detach(domain: string, disk: TDiskSpec): Promise<void> {
    return this.withDiskFile(disk, (file) =>
      runVirsh(this.session, `libvirt could not detach disk ${disk.target} from ${domain}`, ["detach-device", domain, file, "--live", "--config"]),
    );
  }

  async resize(domain: string, target: string, capacityGiB: number): Promise<void> {
    await runVirsh(this.session, `libvirt could not resize disk ${target} of ${domain}`, ["blockresize", domain, target, `${capacityGiB}G`]);
  }

  private async withDiskFile(disk: TDiskSpec, fn: (file: string) => Promise<string>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), "carve-disk-"));
    try {
      const file = join(dir, "disk.xml");
      await writeFile(file, buildDiskXml(disk), { mode: 0o600 });
      await fn(file);
    } catch (error) {
      if (error instanceof HypervisorError) throw error;
      throw HypervisorError.refusal(`could not prepare the disk XML for ${disk.target}: ${String(error)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
