/**
 * Everything the agent's handlers need from a hypervisor, and nothing libvirt-specific: handlers
 * speak in domain names and pool/volume names, the implementation turns them into libvirt calls.
 * Every method throws {@link HypervisorError} (see errors.ts) on failure.
 */

/** Power state as Carve sees it. */
export type TDomainState = "running" | "stopped" | "paused" | "other";

/** A defined domain. */
export interface TDomainStatus {
  name: string;
  uuid: string;
  state: TDomainState;
}

/** What a VM's domain looks like; the implementation renders it (libvirt: domain XML). */
export interface TDomainSpec {
  vmId: string;
  /** Free text shown as the domain's title; the implementation must escape it. */
  title: string;
  vcpus: number;
  memoryMiB: number;
  rootDisk: Omit<TDiskSpec, "target">;
  /** A cloud-init NoCloud seed ISO to attach as a read-only CD-ROM. */
  seedIso?: string | undefined;
  /** Data volumes attached from the start. */
  dataDisks?: TDiskSpec[] | undefined;
  /** The guest's NICs in device order; absent: the host's configured network, if any. */
  nics?: TDomainNic[] | undefined;
}

// networks (issue 17)
/** A guest NIC: a virtio interface on a libvirt network (managed) or a Linux bridge, with its MAC. */
export interface TDomainNic {
  kind: "managed" | "bridge";
  /** The libvirt network's name, or the bridge's. */
  source: string;
  mac: string;
  /** A libvirt nwfilter to apply (security groups). */
  filter?: string | undefined;
}

/** A guest network to define on this host, or to adopt when one with the same name or bridge is there. */
export interface TNetworkDefinition {
  kind: "managed" | "bridge";
  name: string;
  bridge?: string | undefined;
  mode: "nat" | "routed";
  /** Managed: the host's address on the bridge and the prefix. */
  address?: string | undefined;
  prefix?: number | undefined;
  /** Managed: serve DHCP to the reserved hosts only (Carve allocates every address). */
  staticDhcp: boolean;
  dnsDomain?: string | undefined;
}

/** A libvirt network as the host has it. */
export interface TNetworkStatus {
  name: string;
  active: boolean;
  autostart: boolean;
  bridge: string | null;
}

/** What a managed network's dnsmasq knows: DHCP host entries (MACs lowercase) and DNS records. */
export interface TNetworkHosts {
  dhcpHosts: { mac: string; ip: string; name: string | null }[];
  dnsHosts: { ip: string; hostnames: string[] }[];
}

/** One DHCP host entry (MAC and address) or one DNS record (by address) of a managed network. */
export type TNetworkEntry = { kind: "dhcp"; mac: string; ip: string } | { kind: "dns"; ip: string };

/** A reserved address on a managed network: dnsmasq's DHCP host entry and, with a hostname, its DNS record. */
export interface TNetworkHostEntry {
  mac: string;
  ip: string;
  /** The fully qualified name (<vm>.<domain>), or null for no DNS record. */
  hostname: string | null;
}

/** A data disk in a domain: a volume file on a virtio bus at `target` (vdb, vdc…). */
export interface TDiskSpec {
  path: string;
  format: "qcow2" | "raw";
  target: string;
  /** Set by the libvirt implementation for files on network or cluster filesystems (see disk-cache.ts). */
  cache?: "none" | undefined;
}

/** A storage pool to define on this host (or to adopt, when libvirt has one with the same target). */
export interface TPoolDefinition {
  name: string;
  kind: "dir" | "netfs";
  path: string;
  /** netfs: the NFS server and export. */
  source?: { host: string; path: string } | undefined;
}

/** The physical (or, with the test driver, fake) node. */
export interface TNodeSummary {
  hostname: string;
  cpus: number;
  memoryMiB: number;
}

/** A storage pool and its usage. */
export interface TPoolStatus {
  name: string;
  active: boolean;
  capacityBytes: number;
  allocationBytes: number;
  availableBytes: number;
}

/** A storage pool with where it keeps its volumes (read at join and by the doctor, not every heartbeat). */
export interface TPoolDetail extends TPoolStatus {
  /** libvirt's pool type: dir, netfs, logical… */
  type: string;
  /** The target path; null when libvirt gives none. */
  path: string | null;
}

/** A copy-on-write (qcow2) volume to create on top of a backing (template) volume. */
export interface TCowVolumeRequest {
  pool: string;
  name: string;
  capacityGiB: number;
  /** The backing volume; it may live in another pool. A missing one is a refusal. */
  backing: { pool: string; name: string; format: "qcow2" | "raw" };
}

/** A disk image file to import into a pool as a new volume (a template's copy). */
export interface TImportVolumeRequest {
  pool: string;
  name: string;
  format: "qcow2" | "raw" | "iso";
  /** The file's size in bytes. */
  sizeBytes: number;
  /** The disk size the image presents (a qcow2's virtual size; otherwise the file's size). */
  capacityBytes: number;
  /** The image file, readable on this host. */
  sourcePath: string;
}

/** The agent's view of one hypervisor connection. */
export interface THypervisor {
  /** The connection URI, for logs. */
  readonly uri: string;
  /** Checks that the connection works (domain and storage side); throws otherwise. */
  verify(): Promise<void>;
  nodeInfo(): Promise<TNodeSummary>;

  listDomains(): Promise<TDomainStatus[]>;
  /** The domain of that name, or null when none is defined. */
  getDomain(name: string): Promise<TDomainStatus | null>;
  /** The domain's definition as the hypervisor holds it (libvirt: its XML), for diagnostics; a missing domain throws. */
  domainXml(name: string): Promise<string>;
  /**
   * Defines (or redefines) the domain described by `spec`; with `start`, also starts it unless it
   * runs (resuming it when paused). Returns its state afterwards. A domain of that name with another
   * UUID is refused (see isDomainClash).
   */
  defineDomain(name: string, spec: TDomainSpec, options?: { start?: boolean }): Promise<TDomainStatus>;
  startDomain(name: string): Promise<void>;
  resumeDomain(name: string): Promise<void>;
  /** Asks the guest to power off (ACPI); returns at once. */
  shutdownDomain(name: string): Promise<void>;
  /** Pulls the plug; a domain that is not running is fine. */
  destroyDomain(name: string): Promise<void>;
  /** Removes the definition; returns false when there was none. */
  undefineDomain(name: string): Promise<boolean>;
  /**
   * Sets a guest user's password through the QEMU guest agent of the running domain (no reboot).
   * A guest agent that does not answer is a refusal whose message names what the guest needs.
   * Implementations never put the password in an error message.
   */
  setUserPassword(name: string, user: string, password: string): Promise<void>;

  listPools(): Promise<TPoolStatus[]>;
  /** Like listPools, with each pool's type and target path. */
  listPoolDetails(): Promise<TPoolDetail[]>;
  refreshPool(pool: string): Promise<void>;
  listVolumes(pool: string): Promise<string[]>;
  /** The volume's capacity in bytes (a qcow2's virtual size), or null when the pool has no such volume. */
  volumeCapacity(pool: string, name: string): Promise<number | null>;
  /** The volume's path, or null when the pool has no such volume (an unknown pool throws). */
  volumePath(pool: string, name: string): Promise<string | null>;
  /** Creates the volume and returns its path. */
  createCowVolume(request: TCowVolumeRequest): Promise<string>;
  /**
   * Imports a disk image file as a volume and returns its path. Idempotent: a volume of that name
   * whose capacity is `capacityBytes` is the import already done (`alreadyPresent`); one of another
   * capacity (left by an interrupted import) is replaced.
   */
  importVolume(request: TImportVolumeRequest, onProgress: (percent: number, step: string) => Promise<void>): Promise<{ path: string; alreadyPresent: boolean }>;
  /**
   * Points a qcow2 overlay at another backing file with the same content (`qemu-img rebase -u`:
   * metadata only), e.g. a root disk copied from another host onto this host's template copy.
   */
  rebaseVolume(path: string, backing: { path: string; format: "qcow2" | "raw" }): Promise<void>;
  /** Deletes the volume; returns false when it (or its pool) did not exist. */
  deleteVolume(pool: string, name: string): Promise<boolean>;

  /**
   * Defines, builds, starts and autostarts a pool; idempotent. A pool already there with the same
   * target path, under any name, is adopted (started and autostarted, never redefined).
   */
  definePool(definition: TPoolDefinition): Promise<{ name: string; adopted: boolean; status: TPoolStatus }>;
  // networks (issue 17)
  /**
   * Managed: defines, starts and autostarts a libvirt network; one with the same name or bridge is
   * adopted (started and autostarted, never redefined). Bridge: checks that the Linux bridge exists
   * (a refusal naming the fix otherwise).
   */
  defineNetwork(definition: TNetworkDefinition): Promise<{ name: string; adopted: boolean; status: TNetworkStatus }>;
  /** The libvirt networks defined on this host. */
  listNetworks(): Promise<TNetworkStatus[]>;
  /**
   * Adds the DHCP host entry and DNS record of a reserved address, live and persistent; idempotent:
   * identical entries stay, ones for the same MAC, address or name are replaced.
   */
  addNetworkHost(network: string, entry: TNetworkHostEntry): Promise<void>;
  /** The DHCP host entries and DNS records a managed network holds (for checks and drift reports). */
  networkHosts(network: string): Promise<TNetworkHosts>;
  /** Removes the DHCP host entry of `mac` and the DNS record of its address; none there is fine. */
  removeNetworkHost(network: string, mac: string): Promise<void>;
  /** Removes exactly this DHCP host entry or DNS record (a drift cleanup); false when it was not there. */
  removeNetworkEntry(network: string, entry: TNetworkEntry): Promise<boolean>;
  /**
   * The IPv4 addresses the host sees for a running domain's NICs (ARP table, else the guest agent),
   * for NICs on bridge networks whose address the LAN's DHCP gave; none when it knows none.
   */
  interfaceAddresses(name: string): Promise<{ mac: string; ip: string }[]>;
  /** Stops (when active) and undefines a libvirt network; false when there was none. */
  undefineNetwork(name: string): Promise<boolean>;

  /** Creates an empty thin qcow2 volume; one of that name already there is returned (`alreadyPresent`). */
  createDataVolume(pool: string, name: string, capacityGiB: number): Promise<{ path: string; alreadyPresent: boolean }>;
  /** Grows a volume that no running domain uses (a stopped VM's disk, or a detached one). */
  resizeVolume(pool: string, name: string, capacityGiB: number): Promise<void>;
  /**
   * Adds a disk to a domain: hot-plugged and persistent when it runs, into its definition when
   * stopped. The same disk already at `target` is fine (`alreadyAttached`); another there is a refusal.
   */
  attachDisk(domain: string, disk: TDiskSpec): Promise<{ live: boolean; alreadyAttached: boolean }>;
  /** Removes the disk at `target` (live and persistent when running); none there is fine. */
  detachDisk(domain: string, target: string): Promise<{ live: boolean; alreadyDetached: boolean }>;
  /** Grows the disk at `target` of a running domain, so the guest sees the new size at once. */
  resizeDiskLive(domain: string, target: string, capacityGiB: number): Promise<void>;

  /**
   * Live-migrates a running domain to another host's hypervisor and removes it here, keeping it
   * running throughout; `disks` are copied (pre-created on the destination first), other disks
   * are on storage both hosts see. Polls progress, and aborts (the VM stays here) when
   * `watch.abortReason()` gives a reason. Implementations that cannot migrate refuse.
   */
  migrateDomain(name: string, request: TMigrationRequest, watch: TMigrationWatch): Promise<TMigrationOutcome>;

  // security groups (issue 17)
  /**
   * Defines (or redefines) a VM's network filter. Idempotent; a redefinition applies at once to
   * the running NICs that refer to it (libvirt: nwfilter-define rebuilds their firewall rules).
   */
  defineFilter(filter: TFilterSpec): Promise<void>;
  /** Removes a filter no domain refers to any more; false when there was none. */
  removeFilter(name: string): Promise<boolean>;
  /** The names of the network filters defined on this host (libvirt's own included). */
  listFilters(): Promise<string[]>;

  close(): Promise<void>;
}

/** One ingress rule of a VM's filter: protocol, destination ports (tcp/udp) and the source network. */
export interface TIngressRule {
  protocol: "tcp" | "udp" | "icmp" | "all";
  portFrom: number | null;
  portTo: number | null;
  /** An IPv4 network, e.g. 10.0.0.0/8 (a single address is /32). */
  sourceCidr: string;
}

/** A VM's network filter: anti-spoofing for its address, its ingress rules, all egress. */
export interface TFilterSpec {
  name: string;
  /** Stable across redefinitions (libvirt refuses a filter of the same name with another UUID): the VM's id. */
  uuid: string;
  /** The NIC's address for anti-spoofing; null: learned from the guest's first packets. */
  ip: string | null;
  rules: TIngressRule[];
}

/** Where a live migration goes and which disks travel with it. */
export interface TMigrationRequest {
  /** The destination's libvirt URI, as this host reaches it. */
  destinationUri: string;
  /** QEMU's migration stream address on the destination (tcp://ADDRESS[:PORT]). */
  address?: string | undefined;
  /** The destination's console log directory (the serial log moves there). */
  consoleLogDir?: string | undefined;
  /** Disks copied to the destination (copy-storage); the rest stay where they are. */
  disks: TMigrationDisk[];
  /** The disks that stay are on storage the control plane knows both hosts share: skip libvirt's own check. */
  trustSharedStorage: boolean;
  /** The domain's network filter, defined on the destination first (its NICs refer to it). */
  filter?: TFilterSpec | undefined;
  /** DHCP/DNS entries the destination's managed networks need before the VM arrives (issue 17). */
  networkHosts?: { network: string; entry: TNetworkHostEntry }[] | undefined;
}

/** A disk to copy: its volume here and the volume to pre-create on the destination. */
export interface TMigrationDisk {
  volumeId: string;
  source: { pool: string; name: string };
  target: { pool: string; name: string };
  capacityBytes: number;
  format: "qcow2" | "raw";
}

/** How a migration reports progress and learns it must stop. */
export interface TMigrationWatch {
  onProgress(percent: number, step: string): Promise<void>;
  /** A reason to abort now (cancelled, timed out), or null to carry on. */
  abortReason(): Promise<string | null>;
  pollIntervalMs: number;
}

export interface TMigrationOutcome {
  durationMs: number;
  /** Each copied disk's path on the destination. */
  diskPaths: { volumeId: string; path: string }[];
}
