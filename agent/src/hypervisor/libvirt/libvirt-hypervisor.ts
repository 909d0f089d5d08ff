import { join } from "node:path";
import { HypervisorError } from "../errors.ts";
import type { CowVolumeRequest, DomainSpec, DomainStatus, Hypervisor, ImportVolumeRequest, NodeSummary, PoolDetail, PoolStatus } from "../hypervisor.ts";
import { BindingDomains } from "./binding-domains.ts";
import { buildDomainXml, type TDomainType } from "./domain-xml.ts";
import { VirshGuest } from "./virsh-guest.ts";
import { VirshSession } from "./virsh-session.ts";
import { VirshStorage } from "./virsh-storage.ts";

/** How the libvirt implementation renders domains on this host. */
export interface LibvirtHypervisorOptions {
  uri: string;
  domainType: TDomainType;
  /** Directory for serial console logs; used on real hypervisors only. */
  consoleLogDir: string;
  /** libvirt network for a virtio NIC; none when absent. */
  network?: string | undefined;
}

/**
 * The libvirt Hypervisor: domains through @unraid/libvirt, storage and the guest agent through one
 * interactive virsh session. With test:/// URIs these are two separate in-memory nodes (each
 * consistent with itself): domains live in one, pools and volumes in the other.
 */
export class LibvirtHypervisor implements Hypervisor {
  readonly uri: string;
  private readonly domains: BindingDomains;
  private readonly session: VirshSession;
  private readonly storage: VirshStorage;
  private readonly guest: VirshGuest;

  constructor(private readonly options: LibvirtHypervisorOptions) {
    this.uri = options.uri;
    this.domains = new BindingDomains(options.uri);
    this.session = new VirshSession({ uri: options.uri });
    this.storage = new VirshStorage(this.session);
    this.guest = new VirshGuest(this.session, options.domainType === "test" ? (name) => this.domainXml(name) : null);
  }

  async verify(): Promise<void> {
    await this.domains.open();
    await this.domains.nodeInfo();
    await this.storage.listPools();
  }

  nodeInfo(): Promise<NodeSummary> {
    return this.domains.nodeInfo();
  }

  listDomains(): Promise<DomainStatus[]> {
    return this.domains.list();
  }

  getDomain(name: string): Promise<DomainStatus | null> {
    return this.domains.get(name);
  }

  domainXml(name: string): Promise<string> {
    return this.domains.xml(name);
  }

  defineDomain(name: string, spec: DomainSpec): Promise<DomainStatus> {
    const real = this.options.domainType !== "test";
    const xml = buildDomainXml(spec, {
      domainType: this.options.domainType,
      consoleLogFile: real ? join(this.options.consoleLogDir, `${name}.log`) : undefined,
      network: this.options.network,
    });
    return this.domains.define(xml);
  }

  startDomain(name: string): Promise<void> {
    return this.domains.start(name);
  }

  resumeDomain(name: string): Promise<void> {
    return this.domains.resume(name);
  }

  shutdownDomain(name: string): Promise<void> {
    return this.domains.shutdown(name);
  }

  destroyDomain(name: string): Promise<void> {
    return this.domains.destroy(name);
  }

  undefineDomain(name: string): Promise<boolean> {
    return this.domains.undefine(name);
  }

  async setUserPassword(name: string, user: string, password: string): Promise<void> {
    const domain = await this.domains.get(name);
    if (domain === null) throw new HypervisorError(`cannot set a password in ${name}: it is not defined on this host`, false, "");
    if (domain.state !== "running") throw new HypervisorError(`cannot set a password in ${name}: it is ${domain.state}, and the guest agent only answers in a running VM`, false, "");
    await this.guest.setUserPassword(name, user, password);
  }

  listPools(): Promise<PoolStatus[]> {
    return this.storage.listPools();
  }

  listPoolDetails(): Promise<PoolDetail[]> {
    return this.storage.listPoolDetails();
  }

  refreshPool(pool: string): Promise<void> {
    return this.storage.refreshPool(pool);
  }

  listVolumes(pool: string): Promise<string[]> {
    return this.storage.listVolumes(pool);
  }

  volumePath(pool: string, name: string): Promise<string | null> {
    return this.storage.volumePath(pool, name);
  }

  createCowVolume(request: CowVolumeRequest): Promise<string> {
    return this.storage.createCowVolume(request);
  }

  async importVolume(request: ImportVolumeRequest, onProgress: (percent: number, step: string) => Promise<void>): Promise<{ path: string; alreadyPresent: boolean }> {
    const { pool, name } = request;
    const capacity = await this.storage.volumeCapacity(pool, name);
    const present = capacity === request.capacityBytes;
    if (!present) {
      if (capacity !== null) await this.storage.deleteVolume(pool, name);
      if (this.options.domainType === "test") {
        // libvirt's test driver has no vol-upload (virStorageVolUpload is unsupported): an empty
        // volume of the image's capacity stands in for the copy.
        await onProgress(10, "creating the volume (test driver: no upload)");
        await this.storage.createVolume(pool, name, request.capacityBytes, request.format);
      } else {
        await this.upload(request, onProgress);
      }
    }
    const path = await this.storage.volumePath(pool, name);
    if (path === null) throw new HypervisorError(`volume ${name} vanished from pool ${pool} right after it was imported`, true, "");
    return { path, alreadyPresent: present };
  }

  /**
   * A raw placeholder of exactly the file's size, overwritten byte for byte by vol-upload; the pool
   * refresh then makes libvirt read the image's real format and capacity. The upload runs on a
   * virsh session of its own: it can take minutes, and the agent's shared session must keep
   * answering heartbeats and other jobs meanwhile. A failed upload removes its placeholder, so only
   * an agent killed mid-upload can leave a partial volume (of the wrong capacity for a qcow2).
   */
  private async upload(request: ImportVolumeRequest, onProgress: (percent: number, step: string) => Promise<void>): Promise<void> {
    const { pool, name } = request;
    await onProgress(5, "creating the volume");
    await this.storage.createVolume(pool, name, request.sizeBytes, "raw");
    await onProgress(10, "uploading the image");
    // At least 10 MiB/s, plus a minute.
    const session = new VirshSession({ uri: this.uri, commandTimeoutMs: 60_000 + Math.ceil(request.sizeBytes / (10 * 1024 * 1024)) * 1000 });
    try {
      await new VirshStorage(session).uploadVolume(pool, name, request.sourcePath);
    } catch (error) {
      await this.storage.deleteVolume(pool, name).catch(() => false);
      throw error;
    } finally {
      await session.close();
    }
    await onProgress(95, "reading the image's format");
    await this.storage.refreshPool(pool);
  }

  deleteVolume(pool: string, name: string): Promise<boolean> {
    return this.storage.deleteVolume(pool, name);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.domains.close(), this.session.close()]);
  }
}
