import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { HypervisorError, isVolumeExists } from "../errors.ts";
import type { TCowVolumeRequest, TDomainSpec, TDomainStatus, THypervisor, TImportVolumeRequest, TMigrationOutcome, TMigrationRequest, TMigrationWatch, TNodeSummary, TPoolDetail, TPoolStatus } from "../hypervisor.ts";
import type { TDiskSpec, TFilterSpec, TNetworkDefinition, TNetworkEntry, TNetworkHostEntry, TNetworkHosts, TNetworkStatus, TPoolDefinition } from "../hypervisor.ts";
import { BindingDomains } from "./binding-domains.ts";
import { SharedFilesystemProbe } from "./disk-cache.ts";
import { buildDomainXml, domainDisks, withDisk, withoutDisk, type TDomainType } from "./domain-xml.ts";
import { driverCapabilities, type TDriverCapabilities } from "./driver-capabilities.ts";
import { VirshDisks } from "./virsh-disks.ts";
import { VirshFilters } from "./virsh-filters.ts";
import { buildFilterXml } from "./nwfilter-xml.ts";
import { VirshPools } from "./virsh-pools.ts";
import { VirshNetworks } from "./virsh-networks.ts";
import { VirshGuest } from "./virsh-guest.ts";
import { VirshSession } from "./virsh-session.ts";
import { VirshStorage } from "./virsh-storage.ts";
import { migrateWithVirsh } from "./virsh-migration.ts";
import { rebaseOverlay } from "./qemu-img-rebase.ts";

/** How the libvirt implementation renders domains on this host. */
export interface TLibvirtHypervisorOptions {
  uri: string;
  domainType: TDomainType;
  /** Directory for serial console logs; used on real hypervisors only. */
  consoleLogDir: string;
  /** libvirt network for a virtio NIC; none when absent. */
  network?: string | undefined;
  /** Explicit console sockets (CARVE_CONSOLE_SOCKET_DIR; see TDomainXmlOptions); also gives test:/// domains a serial port. */
  consoleSocketDir?: string | undefined;
}

/**
 * The libvirt Hypervisor: domains through @unraid/libvirt, storage and the guest agent through one
 * interactive virsh session. With test:/// URIs these are two separate in-memory nodes (each
 * consistent with itself): domains live in one, pools and volumes in the other.
 */
export class LibvirtHypervisor implements THypervisor {
  readonly uri: string;
  private readonly domains: BindingDomains;
  private readonly session: VirshSession;
  private readonly storage: VirshStorage;
  private readonly guest: VirshGuest;
  private readonly pools: VirshPools;
  private readonly disks: VirshDisks;
  private readonly networks: VirshNetworks;
  private readonly filesystems = new SharedFilesystemProbe();
  private readonly filters: VirshFilters;
  /** What this URI's driver can do; the test driver lacks much, and each gap is handled where it matters. */
  private readonly can: TDriverCapabilities;
  /**
   * Without an nwfilter driver (the test driver: "not supported by the connection driver") the
   * filters are kept here, checked by building their XML, so handlers run unchanged.
   */
  private readonly testFilters = new Map<string, string>();

  constructor(private readonly options: TLibvirtHypervisorOptions) {
    this.uri = options.uri;
    this.can = driverCapabilities(options.uri);
    this.domains = new BindingDomains(options.uri);
    this.session = new VirshSession({ uri: options.uri });
    this.storage = new VirshStorage(this.session);
    this.guest = new VirshGuest(this.session, this.can.sharedNode ? null : (name) => this.domainXml(name));
    this.pools = new VirshPools(this.session, this.storage);
    this.disks = new VirshDisks(this.session);
    this.filters = new VirshFilters(this.session);
    this.networks = new VirshNetworks(this.session, async () => (await this.domains.nodeInfo()).hostname);
  }

  async verify(): Promise<void> {
    await this.domains.open();
    await this.domains.nodeInfo();
    await this.storage.listPools();
  }

  nodeInfo(): Promise<TNodeSummary> {
    return this.domains.nodeInfo();
  }

  listDomains(): Promise<TDomainStatus[]> {
    return this.domains.list();
  }

  getDomain(name: string): Promise<TDomainStatus | null> {
    return this.domains.get(name);
  }

  domainXml(name: string): Promise<string> {
    return this.domains.xml(name);
  }

  async defineDomain(name: string, spec: TDomainSpec, options: { start?: boolean } = {}): Promise<TDomainStatus> {
    const xml = buildDomainXml(this.can.volumeFiles ? await this.withCacheModes(spec) : spec, {
      domainType: this.options.domainType,
      // Without QEMU (the test driver) there is no log, unless explicit sockets let a test play the serial port and its log.
      consoleLogFile: this.can.consoleLog || this.options.consoleSocketDir !== undefined ? join(this.options.consoleLogDir, `${name}.log`) : undefined,
      network: this.options.network,
      consoleSocketDir: this.options.consoleSocketDir,
    });
    return options.start ? this.domains.defineAndStart(xml, { name, uuid: spec.vmId }) : this.domains.define(xml);
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
    if (domain === null) throw HypervisorError.refusal(`cannot set a password in ${name}: it is not defined on this host`);
    if (domain.state !== "running") throw HypervisorError.refusal(`cannot set a password in ${name}: it is ${domain.state}, and the guest agent only answers in a running VM`);
    await this.guest.setUserPassword(name, user, password);
  }

  listPools(): Promise<TPoolStatus[]> {
    return this.storage.listPools();
  }

  listPoolDetails(): Promise<TPoolDetail[]> {
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

  volumeCapacity(pool: string, name: string): Promise<number | null> {
    return this.storage.volumeCapacity(pool, name);
  }

  createCowVolume(request: TCowVolumeRequest): Promise<string> {
    return this.storage.createCowVolume(request);
  }

  async importVolume(request: TImportVolumeRequest, onProgress: (percent: number, step: string) => Promise<void>): Promise<{ path: string; alreadyPresent: boolean }> {
    const { pool, name } = request;
    const capacity = await this.storage.volumeCapacity(pool, name);
    const present = capacity === request.capacityBytes;
    if (!present) {
      if (capacity !== null) await this.storage.deleteVolume(pool, name);
      if (!this.can.volumeUpload) {
        // libvirt's test driver has no vol-upload (virStorageVolUpload is unsupported): an empty
        // volume of the image's capacity stands in for the copy.
        await onProgress(10, "creating the volume (test driver: no upload)");
        await this.storage.createVolume(pool, name, request.capacityBytes, request.format);
      } else {
        await this.upload(request, onProgress);
      }
    }
    const path = await this.storage.volumePath(pool, name);
    if (path === null) throw HypervisorError.transient(`volume ${name} vanished from pool ${pool} right after it was imported`);
    return { path, alreadyPresent: present };
  }

  /**
   * A raw placeholder of exactly the file's size, overwritten byte for byte by vol-upload; the pool
   * refresh then makes libvirt read the image's real format and capacity. The upload runs on a
   * virsh session of its own: it can take minutes, and the agent's shared session must keep
   * answering heartbeats and other jobs meanwhile. A failed upload removes its placeholder, so only
   * an agent killed mid-upload can leave a partial volume (of the wrong capacity for a qcow2).
   */
  private async upload(request: TImportVolumeRequest, onProgress: (percent: number, step: string) => Promise<void>): Promise<void> {
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

  async rebaseVolume(path: string, backing: { path: string; format: "qcow2" | "raw" }): Promise<void> {
    // The test driver's volumes are not files: there is no overlay to rewrite.
    if (!this.can.volumeFiles) return;
    await rebaseOverlay(path, backing);
  }

  migrateDomain(name: string, request: TMigrationRequest, watch: TMigrationWatch): Promise<TMigrationOutcome> {
    if (!this.can.liveMigration) {
      return Promise.reject(
        HypervisorError.refusal(
          "libvirt's test driver (test:///) cannot live-migrate a running VM: stop the VM so it can move cold, or run this host on a real hypervisor",
        ),
      );
    }
    return this.addDestinationHosts(request).then(() => migrateWithVirsh(this.uri, name, request, watch, this.options.consoleSocketDir));
  }

  /** The VM's DHCP/DNS entries in the destination's networks, through a session of its own on the destination's libvirt. */
  private async addDestinationHosts(request: TMigrationRequest): Promise<void> {
    if (!request.networkHosts || request.networkHosts.length === 0) return;
    const session = new VirshSession({ uri: request.destinationUri });
    try {
      const networks = new VirshNetworks(session, async () => request.destinationUri);
      for (const { network, entry } of request.networkHosts) await networks.addHost(network, entry);
    } finally {
      await session.close();
    }
  }

  definePool(definition: TPoolDefinition): Promise<{ name: string; adopted: boolean; status: TPoolStatus }> {
    return this.pools.define(definition);
  }

  // networks (issue 17)
  defineNetwork(definition: TNetworkDefinition): Promise<{ name: string; adopted: boolean; status: TNetworkStatus }> {
    return this.networks.define(definition);
  }

  listNetworks(): Promise<TNetworkStatus[]> {
    return this.networks.list();
  }

  addNetworkHost(network: string, entry: TNetworkHostEntry): Promise<void> {
    return this.networks.addHost(network, entry);
  }

  networkHosts(network: string): Promise<TNetworkHosts> {
    return this.networks.hosts(network);
  }

  removeNetworkHost(network: string, mac: string): Promise<void> {
    return this.networks.removeHost(network, mac);
  }

  removeNetworkEntry(network: string, entry: TNetworkEntry): Promise<boolean> {
    return this.networks.removeEntry(network, entry);
  }

  interfaceAddresses(name: string): Promise<{ mac: string; ip: string }[]> {
    return this.guest.interfaceAddresses(name);
  }

  undefineNetwork(name: string): Promise<boolean> {
    return this.networks.undefine(name);
  }

  async createDataVolume(pool: string, name: string, capacityGiB: number): Promise<{ path: string; alreadyPresent: boolean }> {
    let alreadyPresent = false;
    try {
      await this.storage.createVolume(pool, name, capacityGiB * 1024 ** 3, "qcow2");
    } catch (error) {
      // A retried job: the volume is the one an earlier attempt made.
      if (!isVolumeExists(error)) throw error;
      alreadyPresent = true;
    }
    const path = await this.storage.volumePath(pool, name);
    if (path === null) throw HypervisorError.transient(`volume ${name} vanished from pool ${pool} right after it was created`);
    return { path, alreadyPresent };
  }

  resizeVolume(pool: string, name: string, capacityGiB: number): Promise<void> {
    return this.storage.resizeVolume(pool, name, capacityGiB);
  }

  /** The spec with `cache='none'` on disks whose files are on shared filesystems (see disk-cache.ts). */
  private async withCacheModes(spec: TDomainSpec): Promise<TDomainSpec> {
    const [rootDisk, dataDisks] = await Promise.all([
      this.filesystems.withCacheMode({ ...spec.rootDisk, target: "vda" }),
      Promise.all((spec.dataDisks ?? []).map((disk) => this.filesystems.withCacheMode(disk))),
    ]);
    return { ...spec, rootDisk: { path: rootDisk.path, format: rootDisk.format, cache: rootDisk.cache }, dataDisks };
  }

  async attachDisk(domain: string, requested: TDiskSpec): Promise<{ live: boolean; alreadyAttached: boolean }> {
    const disk = this.can.volumeFiles ? await this.filesystems.withCacheMode(requested) : requested;
    const { live, xml } = await this.domainForDisks(domain);
    const present = domainDisks(xml).find((d) => d.target === disk.target);
    if (present) {
      if (present.path === disk.path) return { live, alreadyAttached: true };
      throw HypervisorError.refusal(`${domain} already has another disk at ${disk.target} (${present.path ?? "no file"})`);
    }
    if (live) {
      this.refuseHotplugOnTestDriver("attach");
      await this.disks.attach(domain, disk);
    } else {
      await this.domains.define(withDisk(xml, disk));
    }
    return { live, alreadyAttached: false };
  }

  async detachDisk(domain: string, target: string): Promise<{ live: boolean; alreadyDetached: boolean }> {
    const { live, xml } = await this.domainForDisks(domain);
    const present = domainDisks(xml).find((d) => d.target === target);
    if (!present) return { live, alreadyDetached: true };
    if (!live) {
      await this.domains.define(withoutDisk(xml, target));
      return { live, alreadyDetached: false };
    }
    this.refuseHotplugOnTestDriver("detach");
    await this.disks.detach(domain, { path: present.path ?? "", format: "qcow2", target });
    // Unplugging needs the guest's cooperation (ACPI hot-unplug): wait until it has let go.
    for (let waited = 0; waited < 30_000; waited += 250) {
      if (!domainDisks(await this.domains.xml(domain)).some((d) => d.target === target)) return { live, alreadyDetached: false };
      await sleep(250);
    }
    throw HypervisorError.refusal(`the guest in ${domain} did not release disk ${target} within 30 s: unmount it in the guest (or stop the VM) and detach again`);
  }

  resizeDiskLive(domain: string, target: string, capacityGiB: number): Promise<void> {
    this.refuseHotplugOnTestDriver("resize a disk of");
    return this.disks.resize(domain, target, capacityGiB);
  }

  /** The domain's current XML and whether it runs (a paused domain counts: its devices are live). */
  private async domainForDisks(domain: string): Promise<{ live: boolean; xml: string }> {
    const status = await this.domains.get(domain);
    if (status === null) throw HypervisorError.refusal(`${domain} is not defined on this host`);
    return { live: status.state === "running" || status.state === "paused", xml: await this.domains.xml(domain) };
  }

  private refuseHotplugOnTestDriver(verb: string): void {
    if (!this.can.deviceHotplug) {
      throw HypervisorError.refusal(`libvirt's test driver cannot ${verb} a running domain's disk (no device hot-plug): stop the VM first`);
    }
  }

  // security groups (issue 17)
  async defineFilter(filter: TFilterSpec): Promise<void> {
    if (!this.can.networkFilters) {
      this.testFilters.set(filter.name, buildFilterXml(filter));
      return;
    }
    await this.filters.define(filter);
  }

  async removeFilter(name: string): Promise<boolean> {
    if (!this.can.networkFilters) return this.testFilters.delete(name);
    return this.filters.remove(name);
  }

  async listFilters(): Promise<string[]> {
    if (!this.can.networkFilters) return [...this.testFilters.keys()];
    return this.filters.list();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.domains.close(), this.session.close()]);
  }
}
