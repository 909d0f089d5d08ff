import { HypervisorError } from "../errors.ts";
import type { TPoolDefinition, TPoolStatus } from "../hypervisor.ts";
import type { VirshSession } from "./virsh-session.ts";
import { runVirsh, type VirshStorage } from "./virsh-storage.ts";

/** Paths compared as libvirt writes them back: no trailing slash. */
const normalise = (path: string): string => path.replace(/\/+$/, "") || "/";

/**
 * Storage pool definition through the agent's virsh session. libvirt refuses a second pool on a
 * target another pool already uses ("Storage source conflict"), and a host that was removed and
 * re-added keeps its old pools: so a pool with the same target, under any name, is adopted.
 */
export class VirshPools {
  constructor(
    private readonly session: VirshSession,
    private readonly storage: VirshStorage,
  ) {}

  async define(definition: TPoolDefinition): Promise<{ name: string; adopted: boolean; status: TPoolStatus }> {
    const existing = await this.storage.listPoolDetails();
    const sameTarget = existing.find((p) => p.path !== null && normalise(p.path) === normalise(definition.path));
    let name = definition.name;
    if (sameTarget) {
      name = sameTarget.name;
    } else {
      const sameName = existing.find((p) => p.name === definition.name);
      if (sameName) {
        throw HypervisorError.refusal(
          `libvirt on this host already has a pool named ${definition.name} with target ${sameName.path ?? "(none)"}, not ${definition.path}: correct the pool's path in Carve, or undefine that libvirt pool (virsh pool-undefine ${definition.name})`,
        );
      }
      await this.run(`libvirt refused to define pool ${name}`, [
        "pool-define-as", name, definition.kind, ...sourceArgs(definition), "--target", definition.path,
      ]); // prettier-ignore
      await this.run(`libvirt could not build pool ${name} (create its target directory ${definition.path})`, ["pool-build", name]);
    }
    if (!sameTarget?.active) await this.run(`libvirt could not start pool ${name}`, ["pool-start", name]);
    await this.run(`libvirt could not mark pool ${name} autostart`, ["pool-autostart", name]);
    const status = (await this.storage.listPools()).find((p) => p.name === name);
    if (!status) throw HypervisorError.transient(`pool ${name} vanished right after it was defined`);
    return { name, adopted: sameTarget !== undefined, status };
  }

  private run(what: string, argv: readonly string[]): Promise<string> {
    return runVirsh(this.session, what, argv);
  }
}

function sourceArgs(definition: TPoolDefinition): string[] {
  if (definition.kind !== "netfs") return [];
  if (!definition.source) throw HypervisorError.refusal(`a netfs pool needs its NFS server and export (source host and path)`);
  return ["--source-host", definition.source.host, "--source-path", definition.source.path];
}
