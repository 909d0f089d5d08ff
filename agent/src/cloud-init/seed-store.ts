import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { domainName, type TCloudInit, type TNicSpec } from "@carve/protocol";
import { renderNoCloud } from "./nocloud-seed.ts";
import { runTool } from "./run-tool.ts";

/**
 * The cloud-init NoCloud seed ISOs of this host's VMs, one per VM under `<dataDir>/seeds`, named
 * after the VM id (never after anything a user typed).
 */
export class SeedStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "seeds");
  }

  /** Where the VM's seed ISO lives. */
  pathOf(vmId: string): string {
    return join(this.dir, `${domainName(vmId)}-seed.iso`);
  }

  /**
   * Builds the VM's seed ISO (volume label `cidata`, files `meta-data`, `user-data` and, for NICs
   * with a static address on a bridge network, `network-config`) with
   * genisoimage and returns its path. Written beside the final name and renamed into place, so a
   * retried job simply rebuilds it and a reader never sees half an ISO. `password` is the first
   * password in plain text (opened by the caller); only its hash reaches the ISO.
   */
  async build(vmId: string, cloudInit: TCloudInit, password: string | null, nics: readonly TNicSpec[] = []): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o711 });
    const hash = password === null ? null : (await runTool("openssl", ["passwd", "-6", "-stdin"], `${password}\n`)).trim();
    const files = renderNoCloud(vmId, cloudInit, hash, nics);
    const work = await mkdtemp(join(this.dir, ".build-"));
    try {
      await writeFile(join(work, "meta-data"), files.metaData, { mode: 0o600 });
      await writeFile(join(work, "user-data"), files.userData, { mode: 0o600 });
      const inputs = [join(work, "user-data"), join(work, "meta-data")];
      if (files.networkConfig !== undefined) {
        await writeFile(join(work, "network-config"), files.networkConfig, { mode: 0o600 });
        inputs.push(join(work, "network-config"));
      }
      const iso = join(work, "seed.iso");
      await runTool("genisoimage", ["-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", ...inputs]);
      await chmod(iso, 0o600);
      const path = this.pathOf(vmId);
      await rename(iso, path);
      return path;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Removes the VM's seed ISO; false when there was none. */
  async remove(vmId: string): Promise<boolean> {
    try {
      await rm(this.pathOf(vmId));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }
}
