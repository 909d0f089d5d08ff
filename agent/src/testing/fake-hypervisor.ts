import { newJoinKeyPair } from "@carve/protocol";
import { pino } from "pino";
import { SeedStore } from "../cloud-init/seed-store.ts";
import type { TJobServices } from "../handlers/context.ts";
import type { THostKey } from "../host-key.ts";
import { HypervisorError } from "../hypervisor/errors.ts";
import { KeyedLock } from "../jobs/keyed-lock.ts";
import { buildDomainXml } from "../hypervisor/libvirt/domain-xml.ts";
import { planEntryRemoval, planHostEntry, planHostRemoval, type TParsedNetwork } from "../hypervisor/libvirt/network-xml.ts";
import { missingBridge } from "../hypervisor/libvirt/virsh-networks.ts";
import { GUEST_AGENT_REQUIREMENT } from "../hypervisor/libvirt/virsh-guest.ts";
import type {
  TCowVolumeRequest,
  TDomainSpec,
  TDomainStatus,
  THypervisor,
  TImportVolumeRequest,
  TNodeSummary,
  TDiskSpec,
  TFilterSpec,
  TPoolDefinition,
  TPoolDetail,
  TPoolStatus,
  TNetworkDefinition,
  TNetworkEntry,
  TNetworkHostEntry,
  TNetworkHosts,
  TNetworkStatus,
} from "../hypervisor/hypervisor.ts";

/**
 * An in-memory Hypervisor for handler tests: domains, pools and volumes in maps, plus switches for
 * the behaviours libvirt's test driver cannot show (a guest that ignores ACPI shutdown, a lost
 * connection). Errors mimic libvirt's wording.
 */
export class FakeHypervisor implements THypervisor {
  readonly uri = "fake:///";
  readonly domains = new Map<string, TDomainStatus & { spec: TDomainSpec }>();
  /** pool name → volume name → path */
  readonly pools = new Map<string, Map<string, string>>([["default", new Map([["template.qcow2", "/pool/template.qcow2"]])]]);
  /** When true, shutdownDomain is accepted but the guest keeps running. */
  ignoreAcpi = false;
  /** When set, every call throws this as a transient error (connection lost). */
  connectionLost: string | null = null;
  /** When true, the guests have no working QEMU guest agent (libvirt's wording). */
  guestAgentMissing = false;
  /** Passwords set through the guest agent: "domain/user" → password. */
  readonly passwords = new Map<string, string>();
  /** Capacities of imported volumes: "pool/name" → bytes. */
  readonly capacities = new Map<string, number>();
  // networks (issue 17)
  /** libvirt networks by name, with their DHCP host entries and DNS records. */
  readonly networks = new Map<string, TNetworkStatus & { entries: TParsedNetwork }>();
  /** Linux bridges that exist on the "host" (bridge networks need theirs). */
  readonly bridges = new Set<string>(["br0"]);
  /** Every mutating call, in order, e.g. "define carve-…". */
  readonly calls: string[] = [];

  async verify(): Promise<void> {
    this.check();
  }
  async nodeInfo(): Promise<TNodeSummary> {
    this.check();
    return { hostname: "fake", cpus: 8, memoryMiB: 16_384 };
  }
  async listDomains(): Promise<TDomainStatus[]> {
    this.check();
    return [...this.domains.values()].map(({ name, uuid, state }) => ({ name, uuid, state }));
  }
  async getDomain(name: string): Promise<TDomainStatus | null> {
    this.check();
    const domain = this.domains.get(name);
    return domain === undefined ? null : { name: domain.name, uuid: domain.uuid, state: domain.state };
  }
  async domainXml(name: string): Promise<string> {
    this.check();
    const defined = this.domains.get(name);
    if (defined === undefined) throw HypervisorError.refusal(`Domain not found: ${name}`, "Domain not found");
    return buildDomainXml(defined.spec, { domainType: "test" });
  }
  async defineDomain(name: string, spec: TDomainSpec, options: { start?: boolean } = {}): Promise<TDomainStatus> {
    this.record(`define ${name}`);
    const existing = this.domains.get(name);
    if (existing !== undefined && existing.uuid !== spec.vmId) {
      throw HypervisorError.refusal(`libvirt refused the domain definition: domain '${name}' already exists with uuid ${existing.uuid}`, `domain '${name}' already exists with uuid ${existing.uuid}`);
    }
    const domain: TDomainStatus & { spec: TDomainSpec } = { name, uuid: spec.vmId, state: existing?.state ?? "stopped", spec };
    this.domains.set(name, domain);
    if (options.start && domain.state !== "running") {
      this.record(`start ${name}`);
      domain.state = "running";
    }
    return { name, uuid: domain.uuid, state: domain.state };
  }
  async startDomain(name: string): Promise<void> {
    this.record(`start ${name}`);
    this.domain(name).state = "running";
  }
  async resumeDomain(name: string): Promise<void> {
    this.record(`resume ${name}`);
    this.domain(name).state = "running";
  }
  async shutdownDomain(name: string): Promise<void> {
    this.record(`shutdown ${name}`);
    if (!this.ignoreAcpi) this.domain(name).state = "stopped";
  }
  async destroyDomain(name: string): Promise<void> {
    this.record(`destroy ${name}`);
    const domain = this.domains.get(name);
    if (domain !== undefined) domain.state = "stopped";
  }
  async undefineDomain(name: string): Promise<boolean> {
    this.record(`undefine ${name}`);
    return this.domains.delete(name);
  }
  async setUserPassword(name: string, user: string, password: string): Promise<void> {
    this.record(`set-user-password ${name} ${user}`);
    if (this.domain(name).state !== "running") throw HypervisorError.refusal(`cannot set a password in ${name}: it is not running`);
    if (this.guestAgentMissing) {
      const message = "Guest agent is not responding: QEMU guest agent is not connected";
      throw HypervisorError.refusal(`the guest agent of ${name} did not answer: ${GUEST_AGENT_REQUIREMENT} (libvirt: ${message})`, message);
    }
    this.passwords.set(`${name}/${user}`, password);
  }
  async listPools(): Promise<TPoolStatus[]> {
    this.check();
    return [...this.pools.keys()].map((name) => ({ name, active: true, capacityBytes: 1, allocationBytes: 0, availableBytes: 1 }));
  }
  async listPoolDetails(): Promise<TPoolDetail[]> {
    return (await this.listPools()).map((pool) => ({ ...pool, type: "dir", path: `/${pool.name}` }));
  }
  async refreshPool(pool: string): Promise<void> {
    this.pool(pool);
  }
  async listVolumes(pool: string): Promise<string[]> {
    return [...this.pool(pool).keys()];
  }
  async volumePath(pool: string, name: string): Promise<string | null> {
    return this.pool(pool).get(name) ?? null;
  }
  async volumeCapacity(pool: string, name: string): Promise<number | null> {
    return this.pool(pool).has(name) ? (this.capacities.get(`${pool}/${name}`) ?? 0) : null;
  }
  async createCowVolume(request: TCowVolumeRequest): Promise<string> {
    this.record(`vol-create ${request.pool}/${request.name}`);
    if (!this.pool(request.backing.pool).has(request.backing.name)) {
      throw HypervisorError.refusal("the template volume is not usable: Storage volume not found", "Storage volume not found");
    }
    const volumes = this.pool(request.pool);
    if (volumes.has(request.name)) throw HypervisorError.refusal("storage vol already exists", "storage vol already exists");
    const path = `/${request.pool}/${request.name}`;
    volumes.set(request.name, path);
    return path;
  }
  async importVolume(request: TImportVolumeRequest, onProgress: (percent: number, step: string) => Promise<void>): Promise<{ path: string; alreadyPresent: boolean }> {
    const volumes = this.pool(request.pool);
    const key = `${request.pool}/${request.name}`;
    const path = `/${request.pool}/${request.name}`;
    if (volumes.has(request.name) && this.capacities.get(key) === request.capacityBytes) return { path, alreadyPresent: true };
    this.record(`vol-import ${key}`);
    await onProgress(50, "uploading the image");
    volumes.set(request.name, path);
    this.capacities.set(key, request.capacityBytes);
    return { path, alreadyPresent: false };
  }
  async rebaseVolume(path: string, backing: { path: string; format: "qcow2" | "raw" }): Promise<void> {
    this.record(`rebase ${path} onto ${backing.path}`);
  }
  async deleteVolume(pool: string, name: string): Promise<boolean> {
    this.record(`vol-delete ${pool}/${name}`);
    return this.pools.get(pool)?.delete(name) ?? false;
  }
  async migrateDomain(name: string): Promise<never> {
    this.record(`migrate ${name}`);
    throw HypervisorError.refusal(`the fake hypervisor cannot live-migrate ${name}`);
  }
  async definePool(definition: TPoolDefinition): Promise<{ name: string; adopted: boolean; status: TPoolStatus }> {
    this.record(`pool-define ${definition.name}`);
    const adopted = this.pools.has(definition.name);
    if (!adopted) this.pools.set(definition.name, new Map());
    return { name: definition.name, adopted, status: { name: definition.name, active: true, capacityBytes: 1, allocationBytes: 0, availableBytes: 1 } };
  }
  // networks (issue 17)
  async defineNetwork(definition: TNetworkDefinition): Promise<{ name: string; adopted: boolean; status: TNetworkStatus }> {
    this.record(`net-define ${definition.name}`);
    if (definition.kind === "bridge") {
      const bridge = definition.bridge ?? definition.name;
      if (!this.bridges.has(bridge)) throw missingBridge(bridge, "fake");
      return { name: bridge, adopted: true, status: { name: bridge, active: true, autostart: true, bridge } };
    }
    const same = this.networks.get(definition.name) ?? [...this.networks.values()].find((n) => definition.bridge !== undefined && n.bridge === definition.bridge);
    const network = same ?? { name: definition.name, active: false, autostart: false, bridge: definition.bridge ?? `virbr${this.networks.size + 1}`, entries: { name: definition.name, bridge: null, dhcpHosts: [], dnsHosts: [] } };
    network.active = true;
    network.autostart = true;
    this.networks.set(network.name, network);
    const { entries: _entries, ...status } = network;
    return { name: network.name, adopted: same !== undefined, status };
  }
  async listNetworks(): Promise<TNetworkStatus[]> {
    this.check();
    return [...this.networks.values()].map(({ entries: _entries, ...status }) => status);
  }
  async addNetworkHost(network: string, entry: TNetworkHostEntry): Promise<void> {
    this.record(`net-host-add ${network} ${entry.mac} ${entry.ip}`);
    this.applyPlan(network, planHostEntry(this.network(network).entries, entry));
  }
  async networkHosts(network: string): Promise<TNetworkHosts> {
    this.check();
    const { dhcpHosts, dnsHosts } = this.network(network).entries;
    return { dhcpHosts, dnsHosts };
  }
  async removeNetworkHost(network: string, mac: string): Promise<void> {
    this.record(`net-host-remove ${network} ${mac}`);
    const found = this.networks.get(network);
    if (found) this.applyPlan(network, planHostRemoval(found.entries, mac));
  }
  async removeNetworkEntry(network: string, entry: TNetworkEntry): Promise<boolean> {
    this.record(`net-entry-remove ${network} ${entry.kind} ${entry.ip}`);
    const found = this.networks.get(network);
    if (!found) return false;
    const plan = planEntryRemoval(found.entries, entry);
    this.applyPlan(network, plan);
    return plan.deleteDhcp.length + plan.deleteDns.length > 0;
  }
  /** What the "host" sees of each domain's NICs (domifaddr): domain name → addresses. */
  readonly interfaceAddressMap = new Map<string, { mac: string; ip: string }[]>();
  async interfaceAddresses(name: string): Promise<{ mac: string; ip: string }[]> {
    this.check();
    return this.interfaceAddressMap.get(name) ?? [];
  }
  async undefineNetwork(name: string): Promise<boolean> {
    this.record(`net-undefine ${name}`);
    return this.networks.delete(name);
  }
  private applyPlan(network: string, plan: ReturnType<typeof planHostEntry>): void {
    const entries = this.network(network).entries;
    entries.dhcpHosts = [...entries.dhcpHosts.filter((h) => !plan.deleteDhcp.includes(h)), ...(plan.addDhcp ? [plan.addDhcp] : [])];
    entries.dnsHosts = [...entries.dnsHosts.filter((h) => !plan.deleteDns.includes(h)), ...(plan.addDns ? [plan.addDns] : [])];
  }
  private network(name: string): TNetworkStatus & { entries: TParsedNetwork } {
    const found = this.networks.get(name);
    if (found === undefined) throw HypervisorError.refusal(`libvirt refused: Network not found: no network with matching name '${name}'`, `Network not found: no network with matching name '${name}'`);
    return found;
  }
  async createDataVolume(pool: string, name: string, capacityGiB: number): Promise<{ path: string; alreadyPresent: boolean }> {
    this.record(`vol-create ${pool}/${name}`);
    const volumes = this.pool(pool);
    const path = `/${pool}/${name}`;
    const alreadyPresent = volumes.has(name);
    volumes.set(name, path);
    this.capacities.set(`${pool}/${name}`, capacityGiB * 1024 ** 3);
    return { path, alreadyPresent };
  }
  async resizeVolume(pool: string, name: string, capacityGiB: number): Promise<void> {
    this.record(`vol-resize ${pool}/${name}`);
    if (!this.pool(pool).has(name)) throw HypervisorError.refusal("Storage volume not found", "Storage volume not found");
    this.capacities.set(`${pool}/${name}`, capacityGiB * 1024 ** 3);
  }
  async attachDisk(domain: string, disk: TDiskSpec): Promise<{ live: boolean; alreadyAttached: boolean }> {
    this.record(`attach ${domain} ${disk.target}`);
    const defined = this.domains.get(domain);
    if (defined === undefined) throw HypervisorError.refusal(`Domain not found: ${domain}`, "Domain not found");
    const disks = defined.spec.dataDisks ?? [];
    const alreadyAttached = disks.some((d) => d.target === disk.target);
    if (!alreadyAttached) defined.spec = { ...defined.spec, dataDisks: [...disks, disk] };
    return { live: defined.state === "running", alreadyAttached };
  }
  async detachDisk(domain: string, target: string): Promise<{ live: boolean; alreadyDetached: boolean }> {
    this.record(`detach ${domain} ${target}`);
    const defined = this.domains.get(domain);
    if (defined === undefined) throw HypervisorError.refusal(`Domain not found: ${domain}`, "Domain not found");
    const disks = defined.spec.dataDisks ?? [];
    defined.spec = { ...defined.spec, dataDisks: disks.filter((d) => d.target !== target) };
    return { live: defined.state === "running", alreadyDetached: !disks.some((d) => d.target === target) };
  }
  async resizeDiskLive(domain: string, target: string): Promise<void> {
    this.record(`blockresize ${domain} ${target}`);
  }
  // security groups (issue 17)
  /** Network filters by name, as the handlers defined them. */
  readonly filters = new Map<string, TFilterSpec>();
  async defineFilter(filter: TFilterSpec): Promise<void> {
    this.record(`define-filter ${filter.name}`);
    this.filters.set(filter.name, filter);
  }
  async removeFilter(name: string): Promise<boolean> {
    this.record(`remove-filter ${name}`);
    return this.filters.delete(name);
  }
  async listFilters(): Promise<string[]> {
    this.check();
    return [...this.filters.keys()];
  }

  async close(): Promise<void> {}

  private check(): void {
    if (this.connectionLost !== null) throw HypervisorError.transient(this.connectionLost, this.connectionLost);
  }
  private record(call: string): void {
    this.check();
    this.calls.push(call);
  }
  private domain(name: string): TDomainStatus {
    const domain = this.domains.get(name);
    if (domain === undefined) throw HypervisorError.refusal(`Domain not found: ${name}`, "Domain not found");
    return domain;
  }
  private pool(name: string): Map<string, string> {
    this.check();
    const pool = this.pools.get(name);
    if (pool === undefined) {
      const message = `Storage pool not found: no storage pool with matching name '${name}'`;
      throw HypervisorError.refusal(`libvirt refused: ${message}`, message);
    }
    return pool;
  }
}

/** A fresh host key pair, for handler tests that seal secrets to the "host". */
export function testHostKey(): THostKey {
  return newJoinKeyPair();
}

/** What processJob shares between jobs, for handler tests: `hypervisor`, a fresh host key, seeds under `seedsDir`, no waiting. */
export function testJobServices(hypervisor: THypervisor, seedsDir: string): TJobServices {
  return { hypervisor, log: pino({ level: "silent" }), lock: new KeyedLock(), pollIntervalMs: 1, rebootGracefulTimeoutSec: 0, hostKey: testHostKey(), seeds: new SeedStore(seedsDir) };
}
