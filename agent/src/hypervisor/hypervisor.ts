/**
 * Everything the agent's handlers need from a hypervisor, and nothing libvirt-specific: handlers
 * speak in domain names and pool/volume names, the implementation turns them into libvirt calls.
 * Every method throws {@link HypervisorError} (see errors.ts) on failure.
 */

/** Power state as Carve sees it. */
export type TDomainState = "running" | "stopped" | "paused" | "other";

/** A defined domain. */
export interface DomainStatus {
  name: string;
  uuid: string;
  state: TDomainState;
}

/** What a VM's domain looks like; the implementation renders it (libvirt: domain XML). */
export interface DomainSpec {
  vmId: string;
  /** Free text shown as the domain's title; the implementation must escape it. */
  title: string;
  vcpus: number;
  memoryMiB: number;
  rootDisk: { path: string; format: "qcow2" | "raw" };
  /** A cloud-init NoCloud seed ISO to attach as a read-only CD-ROM. */
  seedIso?: string | undefined;
}

/** The physical (or, with the test driver, fake) node. */
export interface NodeSummary {
  hostname: string;
  cpus: number;
  memoryMiB: number;
}

/** A storage pool and its usage. */
export interface PoolStatus {
  name: string;
  active: boolean;
  capacityBytes: number;
  allocationBytes: number;
  availableBytes: number;
}

/** A storage pool with where it keeps its volumes (read at join and by the doctor, not every heartbeat). */
export interface PoolDetail extends PoolStatus {
  /** libvirt's pool type: dir, netfs, logical… */
  type: string;
  /** The target path; null when libvirt gives none. */
  path: string | null;
}

/** A copy-on-write (qcow2) volume to create on top of a backing (template) volume. */
export interface CowVolumeRequest {
  pool: string;
  name: string;
  capacityGiB: number;
  /** The backing volume; it may live in another pool. A missing one is a refusal. */
  backing: { pool: string; name: string; format: "qcow2" | "raw" };
}

/** A disk image file to import into a pool as a new volume (a template's copy). */
export interface ImportVolumeRequest {
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
export interface Hypervisor {
  /** The connection URI, for logs. */
  readonly uri: string;
  /** Checks that the connection works (domain and storage side); throws otherwise. */
  verify(): Promise<void>;
  nodeInfo(): Promise<NodeSummary>;

  listDomains(): Promise<DomainStatus[]>;
  /** The domain of that name, or null when none is defined. */
  getDomain(name: string): Promise<DomainStatus | null>;
  /** The domain's definition as the hypervisor holds it (libvirt: its XML), for diagnostics; a missing domain throws. */
  domainXml(name: string): Promise<string>;
  /** Defines (or redefines) the domain described by `spec`. */
  defineDomain(name: string, spec: DomainSpec): Promise<DomainStatus>;
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

  listPools(): Promise<PoolStatus[]>;
  /** Like listPools, with each pool's type and target path. */
  listPoolDetails(): Promise<PoolDetail[]>;
  refreshPool(pool: string): Promise<void>;
  listVolumes(pool: string): Promise<string[]>;
  /** The volume's path, or null when the pool has no such volume (an unknown pool throws). */
  volumePath(pool: string, name: string): Promise<string | null>;
  /** Creates the volume and returns its path. */
  createCowVolume(request: CowVolumeRequest): Promise<string>;
  /**
   * Imports a disk image file as a volume and returns its path. Idempotent: a volume of that name
   * whose capacity is `capacityBytes` is the import already done (`alreadyPresent`); one of another
   * capacity (left by an interrupted import) is replaced.
   */
  importVolume(request: ImportVolumeRequest, onProgress: (percent: number, step: string) => Promise<void>): Promise<{ path: string; alreadyPresent: boolean }>;
  /** Deletes the volume; returns false when it (or its pool) did not exist. */
  deleteVolume(pool: string, name: string): Promise<boolean>;

  close(): Promise<void>;
}
