import { join } from "node:path";
import type { CowVolumeRequest, DomainSpec, DomainStatus, Hypervisor, NodeSummary, PoolDetail, PoolStatus } from "../hypervisor.ts";
import { BindingDomains } from "./binding-domains.ts";
import { buildDomainXml, type TDomainType } from "./domain-xml.ts";
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
 * The libvirt Hypervisor: domains through @unraid/libvirt, storage through one interactive virsh
 * session. With test:/// URIs these are two separate in-memory nodes (each consistent with
 * itself): domains live in one, pools and volumes in the other.
 */
export class LibvirtHypervisor implements Hypervisor {
  readonly uri: string;
  private readonly domains: BindingDomains;
  private readonly storage: VirshStorage;

  constructor(private readonly options: LibvirtHypervisorOptions) {
    this.uri = options.uri;
    this.domains = new BindingDomains(options.uri);
    this.storage = new VirshStorage(options.uri);
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

  deleteVolume(pool: string, name: string): Promise<boolean> {
    return this.storage.deleteVolume(pool, name);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.domains.close(), this.storage.close()]);
  }
}
