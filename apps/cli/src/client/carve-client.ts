import type { TAuditView, TCancelMaintenanceResult, TCreateVmInput, TDirectoryView, TDriftView, TMaintenancePlan, TOrphanVm, TStatus, TSyncReport, TUnlockResult, TUsageReportRow, TVolumeView } from "@carve/core";
import type { TNetworkSettings, TOpenedPort, TSecurityGroupView, TSecurityRuleView, TVmSecurityGroups } from "@carve/core";
import type { TLogLevels, TMigrationSettings, TPlacementSettings, TStorageSettings, TTemplateSettings, TVmPlan } from "@carve/core";
import type { TVmAddress, TVmConnect } from "@carve/core";
import type { TDeadHostVm, TFencingSettings } from "@carve/core";

/**
 * What a command needs from Carve, whichever way the CLI reaches it: core on this machine's
 * database (local-client.ts, as the operator) or a Carve server's /api/v1 with an API key
 * (remote-client.ts, as the key's user). Each command is written once against this; session.ts
 * picks the implementation. The shapes are the fields both answer with.
 */
export interface TCarveClient {
  /** "local", or the URL of the server the CLI is logged in to. */
  readonly where: string;
  whoami(): Promise<TWhoAmIView>;
  listVms(query: { state?: string; owner?: string; host?: string; limit: string; cursor?: string }): Promise<{ items: TVmSummary[]; nextCursor: string | null }>;
  createVm(input: TCreateVmInput): Promise<{ vm: { id: string; name: string }; job: TJobSummary }>;
  getVm(ref: string): Promise<TVmDetail>;
  vmAction(ref: string, action: TVmVerb, options?: TVmActionOptions): Promise<TJobSummary>;
  getJob(id: string): Promise<TJobSummary>;
  waitForJob(id: string, options: { timeoutMs: number; onProgress: (job: TJobSummary) => void }): Promise<TJobSummary>;
  listOfferings(): Promise<TOfferingSummary[]>;
  listHosts(): Promise<THostSummary[]>;
  listTemplates(): Promise<TTemplateSummary[]>;
  listSshKeys(): Promise<TSshKeySummary[]>;
  listDiskOfferings(): Promise<TDiskOfferingSummary[]>;
  listVolumes(query: { vm?: string; owner?: string; kind?: string; limit: number; cursor?: string }): Promise<{ items: TVolumeSummary[]; nextCursor: string | null }>;
  createVolume(input: { name: string; diskOffering: string; sizeGiB?: number; vm?: string }): Promise<{ volume: { id: string; name: string }; job: TJobSummary }>;
  /** attach (to `vm`), detach, resize (to `sizeGiB`) or delete a volume. */
  volumeAction(ref: string, action: "attach" | "detach" | "resize" | "delete", input?: { vm?: string; sizeGiB?: number }): Promise<TJobSummary>;
  searchAudit(query: TAuditQuery): Promise<{ items: TAuditRow[]; nextCursor: string | null }>;
  addSshKey(input: { name: string; publicKey: string }): Promise<TSshKeySummary>;
  removeSshKey(ref: string): Promise<TSshKeySummary>;
  // Admin offering commands (offering|disk-offering create|delete).
  createOffering(input: { name: string; vcpus: number; memoryMiB: number; rootDiskGiB: number; description?: string | undefined; network?: string | undefined }): Promise<TOfferingSummary>;
  deleteOffering(ref: string, options: { retire: boolean }): Promise<{ id: string; name: string; outcome: "deleted" | "retired"; vms: string[] }>;
  createDiskOffering(input: TCreateDiskOfferingArgs): Promise<TDiskOfferingSummary>;
  deleteDiskOffering(ref: string): Promise<{ id: string; name: string; outcome: "deleted" | "retired"; volumes: number }>;
  // Pools and quotas (pool list, quota show|set).
  listPools(): Promise<TPoolSummary[]>;
  getQuota(username?: string): Promise<TQuotaSummary[]>;
  setQuota(input: TSetQuotaArgs): Promise<{ maxVms: number | null; maxVcpus: number | null; maxMemMiB: number | null; maxStorGiB: number | null }>;

  // vm reset-password
  /** Sets a new generated password for a guest user of the VM; it can be viewed once its job has succeeded. */
  resetVmPassword(ref: string, user: string): Promise<{ job: TJobSummary; user: string; revealId?: string }>;
  /** The VM's password waiting for its asker (the reset's `revealId` locally, the VM's latest remotely), shown once. */
  revealVmPassword(ref: string, revealId?: string): Promise<TRevealedPasswordView>;

  // auth unlock
  /** Admins: clears the sign-in lockout of a username or a client address. */
  unlockSignIn(target: string): Promise<TUnlockResult>;

  // apikey create|list|revoke
  /** Creates an API key (admins: for `user`); the answer holds the key itself, this once. */
  createApiKey(input: { name: string; scope: string; user?: string | undefined; expiresInDays?: number | undefined }): Promise<TApiKeySummary & { key: string }>;
  listApiKeys(user?: string): Promise<TApiKeySummary[]>;
  /** By prefix or id. */
  revokeApiKey(ref: string): Promise<TApiKeySummary>;

  // user sign-out
  /** Admins: ends every portal session of the user (username or id). */
  endUserSessions(user: string): Promise<{ username: string; ended: number }>;

  // admin reset-password
  /** Admins: a new password for a local account; its sessions end. */
  resetPassword(user: string, password: string): Promise<{ username: string }>;

  // status, host add|join-token|remove|inspect, host maintenance plan|start|cancel, drift list|ignore|destroy
  /** Admins: hosts and their use, VMs by state, jobs in flight and recent failures. */
  getStatus(): Promise<TStatusSummary>;
  /** Registers a host; the answer holds its one-time join token and the command that uses it. */
  addHost(input: TAddHostArgs): Promise<TAddedHostSummary>;
  /** A new one-time join token for a host (voids the earlier one), with its join command. */
  issueJoinToken(host: string, ttlMinutes: number): Promise<TJoinTokenSummary>;
  removeHost(host: string): Promise<{ id: string; name: string; state: string }>;
  /** Queues a host inventory; its job is followed with waitForJob, then read with getHostInventory. */
  inspectHost(host: string): Promise<TJobSummary>;
  getHostInventory(jobId: string): Promise<THostInventory>;
  planHostMaintenance(host: string): Promise<TMaintenancePlan>;
  startHostMaintenance(host: string): Promise<{ job: TJobSummary; plan: TMaintenancePlan }>;
  cancelHostMaintenance(host: string): Promise<TCancelMaintenanceResult>;
  /** Open drift (`all`: also ignored and resolved). */
  listDrift(all: boolean): Promise<TDriftSummary[]>;
  ignoreDrift(id: string): Promise<{ id: string; domainName: string; state: string }>;
  /** Destroys a drifting Carve-named domain on its host; answers with the job. */
  destroyDrift(id: string): Promise<TJobSummary>;
  // pool add|define|delete
  /** Admins: registers a pool and sends each of its hosts a pool.define job (`jobs`). */
  addPool(input: TAddPoolArgs): Promise<TAddedPool>;
  /** Admins: (re)defines the pool in libvirt on its hosts, or on `host` only. */
  definePool(ref: string, host?: string): Promise<{ pool: { id: string; name: string }; jobs: TJobSummary[] }>;
  deletePool(ref: string): Promise<{ id: string; name: string; outcome: "deleted" | "removed" }>;

  // template register|add|copy|delete
  /** Admins: a template by http(s) URL, which the server downloads. */
  registerTemplate(input: TRegisterTemplateArgs): Promise<TTemplateRecord>;
  /** Admins: a template whose image is already a volume in pools. */
  addTemplate(input: TAddTemplateArgs): Promise<TTemplateRecord>;
  /** Admins: makes sure a Ready template has a copy in the pool; `jobId` is the copy's job, if any. */
  copyTemplate(template: string, pool: string): Promise<{ copy: TTemplateCopyRecord; jobId: string | null }>;
  deleteTemplate(ref: string): Promise<{ id: string; name: string }>;
  // template update (issue 17)
  /** Admins: changes a template's login user, description or image capabilities (fields left out stay). */
  updateTemplate(ref: string, changes: TUpdateTemplateArgs): Promise<TTemplateRecord & { loginUser: string }>;

  // volume migrate|migrate-cancel
  /** Moves a volume to another pool; answers with the sending job. */
  migrateVolume(ref: string, pool: string): Promise<{ job: TJobSummary; volume: { id: string; name: string } }>;
  /** Stops a volume's storage migration; answers with the migration's job. */
  cancelVolumeMigration(ref: string): Promise<TJobSummary>;

  // vm migrate|migrate-cancel|plan, settings placement|templates|migration|storage|log-level
  /** Admins: moves the VM to `host` (or where placement picks): live when it runs, cold when stopped. */
  migrateVm(ref: string, host?: string): Promise<TJobSummary>;
  /** Admins: aborts the VM's live migration; answers the migration's job. */
  cancelVmMigration(ref: string): Promise<TJobSummary>;
  /** Where a VM would go (a dry run of a create's checks, as this client's user). */
  planVm(input: { name: string; template: string; offering: string }): Promise<TVmPlan>;
  /** Admins: changes a settings group (fields left out stay) and answers it; no change only shows it. */
  changeSettings<G extends TSettingsGroup>(group: G, changes: TSettingsGroups[G]["changes"]): Promise<TSettingsGroups[G]["settings"]>;
  // directory show|set|test|sync, group list|map (admins)
  getDirectory(): Promise<TDirectoryView>;
  /** `settings` over the saved ones (or the preset's); `bindPassword` is sent to core only, never shown back. */
  configureDirectory(input: { preset?: string | undefined; bindPassword?: string | undefined; settings: Record<string, unknown> }): Promise<TDirectoryView>;
  checkDirectory(): Promise<{ url: string; users: number; ms: number }>;
  syncDirectory(): Promise<TSyncReport>;
  listGroups(): Promise<TGroupSummary[]>;
  mapGroup(input: { group: string; role?: string | null | undefined; team?: boolean | undefined }): Promise<TGroupSummary>;

  // user list|create|enable|disable (admins)
  listUsers(query: { disabledOnly: boolean; search?: string | undefined; limit: string; cursor?: string | undefined }): Promise<{ items: TUserSummary[]; nextCursor: string | null }>;
  createLocalUser(input: { username: string; password: string; role: string; displayName?: string | undefined; email?: string | undefined }): Promise<TCreatedUserSummary>;
  setUserEnabled(user: string, enabled: boolean): Promise<{ username: string; enabled: boolean; vms: TOrphanVm[] }>;

  // usage report|aggregate (admins)
  usageReport(input: { from: string; to: string; by: string; granularity: string; format: "json" | "csv" }): Promise<TUsageReportSummary>;
  aggregateUsage(input: { from: string; to: string }): Promise<TAggregateSummary>;

  // networks (issue 17): network create|list|show|update|delete (admins)
  createNetwork(input: TCreateNetworkArgs): Promise<TNetworkSummary>;
  listNetworks(): Promise<TNetworkSummary[]>;
  /** By name or id, with the VMs on it. */
  getNetwork(ref: string): Promise<TNetworkSummary & { vms: TVmOnNetworkSummary[] }>;
  /** Fields left out stay; null removes an optional one. */
  updateNetwork(ref: string, changes: TUpdateNetworkArgs): Promise<TNetworkSummary>;
  deleteNetwork(ref: string): Promise<{ id: string; name: string }>;
  /** network define: the retry an Unhealthy host names; on every host that has it, or one. */
  defineNetwork(ref: string, host?: string): Promise<{ network: { id: string; name: string }; jobs: TJobSummary[] }>;
  // security groups (issue 17): sg create|list|show|delete, sg rule add|remove, vm groups, vm open
  /** Your groups (your default one made on first use); admins with `all`: everyone's. */
  listSecurityGroups(all: boolean): Promise<TSecurityGroupSummary[]>;
  createSecurityGroup(input: { name: string; description?: string | undefined }): Promise<TSecurityGroupSummary>;
  /** By name (among yours) or id, with its rules and VMs. */
  getSecurityGroup(ref: string): Promise<TSecurityGroupSummary>;
  deleteSecurityGroup(ref: string): Promise<{ id: string; name: string }>;
  addSecurityRule(group: string, rule: TSecurityRuleArgs): Promise<{ rule: TSecurityRuleSummary; added: boolean; jobs: number }>;
  removeSecurityRule(group: string, ruleId: string): Promise<{ rule: TSecurityRuleSummary; jobs: number }>;
  getVmSecurityGroups(vm: string): Promise<TVmSecurityGroups>;
  /** Replaces the VM's groups; `jobs`: the filters being re-applied. */
  setVmSecurityGroups(vm: string, groups: string[]): Promise<TVmSecurityGroups & { jobs?: number | undefined }>;
  openVmPort(vm: string, input: { port: number; protocol?: string | undefined; source?: string | undefined }): Promise<TOpenedPortSummary>;
  // console (issue 18): vm console
  /** A one-time link to the VM's console page (works once, within 60 s). */
  openConsole(ref: string, kind: "vnc" | "serial"): Promise<TConsoleLinkSummary>;
  /** The last lines of the VM's serial console log. */
  readSerialLog(ref: string, lines?: number): Promise<{ vmName: string; text: string; truncated: boolean }>;
  // day-2 (issue 19): host declare-dead, vm recreate (settings fencing is a settings group)
  /** Admins: declares a silent, powered-off host dead (`confirm`: its name); what became of each VM. */
  declareHostDead(host: string, confirm: string): Promise<TDeclaredDeadSummary>;
  /** Re-creates a Lost VM from its template with the same name and address. */
  recreateVm(ref: string): Promise<{ vm: { id: string; name: string }; job: TJobSummary }>;
}

// console (issue 18)
/**
 * A console link: `url` is the portal page (`<portal>/vms/{id}/console?kind=vnc#token=…`); the
 * local CLI knows the portal's address only from CARVE_PORTAL_URL, else `url` is the page's path.
 */
export interface TConsoleLinkSummary {
  vmId: string;
  vmName: string;
  kind: "vnc" | "serial";
  url: string;
  expiresAt: TInstant;
}

// networks (issue 17)
/** `carve network create`'s input (core's create-network fields). */
export interface TCreateNetworkArgs {
  name: string;
  kind: string;
  cidr: string;
  hosts: string[];
  isDefault: boolean;
  description?: string | undefined;
  mode?: string | undefined;
  gateway?: string | undefined;
  rangeStart?: string | undefined;
  rangeEnd?: string | undefined;
  dnsDomain?: string | undefined;
  libvirtName?: string | undefined;
  bridge?: string | undefined;
}

/** `carve network update`'s changes (core's update-network fields). */
export interface TUpdateNetworkArgs {
  description?: string | null | undefined;
  mode?: string | undefined;
  cidr?: string | undefined;
  gateway?: string | null | undefined;
  rangeStart?: string | null | undefined;
  rangeEnd?: string | null | undefined;
  dnsDomain?: string | null | undefined;
  bridge?: string | undefined;
  hosts?: string[] | undefined;
  isDefault?: boolean | undefined;
}

/** A network as both clients answer it; instants are Dates locally, ISO text from the REST API. */
export interface TNetworkSummary {
  id: string;
  name: string;
  description: string | null;
  kind: string;
  mode: string | null;
  cidr: string;
  gateway: string | null;
  rangeStart: string | null;
  rangeEnd: string | null;
  dnsDomain: string | null;
  libvirtName: string | null;
  bridge: string | null;
  isDefault: boolean;
  hosts: { id: string; name: string }[];
  rangeSize: number;
  nics: number;
  freeAddresses: number | null;
  createdAt: TInstant;
  updatedAt: TInstant;
}

/** A VM with a NIC on a network, for `network show`. */
export interface TVmOnNetworkSummary {
  vmId: string;
  name: string;
  owner: string;
  state: string;
  host: string | null;
  mac: string;
  ip: string | null;
}

// security groups (issue 17)
export type TSecurityRuleSummary = Omit<TSecurityRuleView, "createdAt"> & { createdAt: TInstant };
export type TSecurityGroupSummary = Omit<TSecurityGroupView, "createdAt" | "rules"> & { createdAt: TInstant; rules: TSecurityRuleSummary[] };
export type TOpenedPortSummary = Omit<TOpenedPort, "rule"> & { rule: TSecurityRuleSummary };
/** `carve sg rule add`'s input (core's add-rule fields but the group). */
export interface TSecurityRuleArgs {
  protocol: string;
  portFrom?: number | undefined;
  portTo?: number | undefined;
  source?: string | undefined;
  description?: string | undefined;
}

// Instants (status, hosts, drift, directory, groups, users, usage) are Dates locally, ISO text from the REST API.
type TInstant = Date | string;

/** A group with its mapping; `members` in the list only. */
export interface TGroupSummary {
  id: string;
  name: string;
  ldapDn: string | null;
  role: string | null;
  isTeam: boolean;
  members?: number;
}

export interface TUserSummary {
  id: string;
  username: string;
  source: string;
  role: string;
  displayName: string | null;
  email: string | null;
  disabledAt: TInstant | null;
  disabledReason: string | null;
  lastLoginAt: TInstant | null;
  groups: string[];
  teams: string[];
  liveVms: number;
}

/** The local account `user create` made (never its password). */
export type TCreatedUserSummary = Pick<TUserSummary, "id" | "username" | "source" | "role" | "displayName" | "email"> & { createdAt: TInstant };

export interface TUsageReportSummary {
  from: TInstant;
  to: TInstant;
  by: string;
  granularity: string;
  rows: TUsageReportRow[];
  csv?: string | undefined;
}

export interface TAggregateSummary {
  from: TInstant;
  to: TInstant;
  days: { from: TInstant; to: TInstant } | null;
  hourRecords: number;
  dayRecords: number;
}

// pool add|define|delete, template register|add|copy|delete
/** `carve pool add`'s input (core's add-pool fields). */
export interface TAddPoolArgs {
  name: string;
  hosts: string[];
  libvirtName: string;
  path: string;
  scope: string;
  kind?: "Netfs";
  sourceHost?: string | undefined;
  sourcePath?: string | undefined;
}

/** A pool just added, with the jobs defining it on its hosts. Locally the full row; remotely the API's fields. */
export interface TAddedPool {
  id: string;
  name: string;
  kind: string;
  scope: string;
  state: string;
  libvirtName: string;
  path: string;
  sourceHost: string | null;
  sourcePath: string | null;
  jobs: TJobSummary[];
}

export interface TRegisterTemplateArgs {
  name: string;
  url: string;
  loginUser?: string | undefined;
  sha256?: string | undefined;
  supportsPasswordReset: boolean;
  supportsCloudInit: boolean;
  minDiskGiB: number;
  description?: string | undefined;
}

export interface TAddTemplateArgs {
  name: string;
  loginUser?: string | undefined;
  pools: string[];
  volume: string;
  format: string;
  minDiskGiB: number;
  description?: string | undefined;
}

/** `carve template update`'s changes (core's update-template fields). */
export interface TUpdateTemplateArgs {
  loginUser?: string | undefined;
  description?: string | undefined;
  supportsCloudInit?: boolean | undefined;
  supportsPasswordReset?: boolean | undefined;
}

/** A template as registered or added. Locally the full row; remotely the API's fields. */
export interface TTemplateRecord {
  id: string;
  name: string;
  state: string;
  /** null while a download by URL has not been examined. */
  format: string | null;
  minDiskGiB: number;
}

/** A template's copy in a pool. */
export interface TTemplateCopyRecord {
  templateId: string;
  poolId: string;
  volumeName: string;
  state: string;
  progress: number;
  stateReason: string | null;
  jobId: string | null;
}


export type TStatusSummary = Omit<TStatus, "hosts"> & { hosts: (Omit<TStatus["hosts"][number], "lastHeartbeatAt"> & { lastHeartbeatAt: TInstant | null })[] };

/** `carve host add`'s input (core's add-host fields). */
export interface TAddHostArgs {
  name: string;
  uri: string;
  cpuOvercommit: number;
  memOvercommit: number;
  joinTokenTtlMinutes: number;
}

/** A host just added: what `carve host add` shows, with its join token (shown once) and join command. */
export interface TAddedHostSummary {
  id: string;
  name: string;
  uri: string;
  state: string;
  cpuOvercommit: number;
  memOvercommit: number;
  tags: string[];
  createdAt: TInstant;
  joinToken: { token: string; expiresAt: TInstant };
  /** Built where the server's Redis settings are known: the command the host's administrator runs. */
  joinCommand: string;
}

export interface TJoinTokenSummary {
  token: string;
  expiresAt: TInstant;
  hostId: string;
  hostName: string;
  hostUri: string;
  joinCommand: string;
}

/** What libvirt on a host has, as its agent reported it for `host inspect`. */
export interface THostInventory {
  hostname: string;
  cpus: number;
  memoryMiB: number;
  domains: { name: string; uuid: string; state: string }[];
  pools: { name: string; capacityBytes: number; allocationBytes: number; availableBytes: number; volumes: string[] }[];
}

export type TDriftSummary = Omit<TDriftView, "firstSeenAt" | "lastSeenAt" | "resolvedAt"> & { firstSeenAt: TInstant; lastSeenAt: TInstant; resolvedAt: TInstant | null };

/** Each settings group: the changes its command sends (core's input) and the settings it answers. */
export interface TSettingsGroups {
  placement: { changes: { policy?: string | undefined; poolThreshold?: number | undefined }; settings: TPlacementSettings };
  templates: {
    changes: { addAllowedHosts?: string[] | undefined; removeAllowedHosts?: string[] | undefined; allowPrivateAddresses?: boolean | undefined; maxBytes?: number | undefined };
    settings: TTemplateSettings;
  };
  migration: { changes: { timeoutSec?: number | undefined }; settings: TMigrationSettings };
  storage: { changes: { migrationBandwidthMiBps?: number | undefined }; settings: TStorageSettings };
  "log-level": { changes: { level?: string | undefined; process: string }; settings: TLogLevels };
  // security groups (issue 17)
  network: { changes: { companyCidrs?: string[] | undefined }; settings: TNetworkSettings };
  // day-2 (issue 19)
  fencing: { changes: { command?: string[] | undefined; timeoutSec?: number | undefined }; settings: TFencingSettings };
}
export type TSettingsGroup = keyof TSettingsGroups;

export interface TTemplateSummary {
  id: string;
  name: string;
  state: string;
  /** null while not known: a download not yet examined, or refused. */
  format: string | null;
  minDiskGiB: number;
  /** The guest account of the connect line. */
  loginUser: string;
  /** Local only (the admin's view): download progress, size and copies per pool. */
  progress?: number;
  stateReason?: string | null;
  sizeBytes?: bigint;
  copies?: { pool: string; state: string; progress: number; stateReason: string | null }[];
}

export type TAuditQuery = Partial<Record<"actor" | "action" | "target" | "outcome" | "from" | "to" | "cursor", string>> & { limit: string };

export interface TDiskOfferingSummary {
  id: string;
  name: string;
  sizeGiB: number | null;
  minSizeGiB: number | null;
  maxSizeGiB: number | null;
  scope: string;
  storageTags: string[];
}

/** A volume as core answers it; `createdAt` is its ISO text from the REST API. */
export type TVolumeSummary = Omit<TVolumeView, "createdAt"> & { createdAt: Date | string };

/** An audit row as core answers it; `at` is its ISO text from the REST API. */
export type TAuditRow = Omit<TAuditView, "at"> & { at: Date | string };

export interface TSshKeySummary {
  id: string;
  name: string;
  publicKey: string;
  fingerprint: string;
  /** A Date locally, its ISO text from the REST API. */
  createdAt: Date | string;
}

export type TVmVerb = "start" | "stop" | "reboot" | "destroy";

export interface TVmActionOptions {
  /** destroy: also delete the data volumes. */
  withVolumes?: boolean;
  /** stop: power off at once. */
  force?: boolean;
  /** stop: seconds the guest gets to shut down. */
  timeoutSec?: number;
}

export interface TWhoAmIView {
  username: string;
  role: string;
  scope: string | null;
  /** The local CLI: the OS account and host recorded in the audit trail. */
  osUser?: string | undefined;
  osHost?: string | undefined;
}

type TNamed = { name: string } | null;

export interface TVmSummary {
  id: string;
  name: string;
  state: string;
  host: TNamed;
  template: TNamed;
  offering: TNamed;
  owner: { username: string };
  /** Its NICs' networks, MACs, addresses and DNS names, in device order. */
  addresses: TVmAddress[];
  /** The way in (`ssh user@host`); null while it has no address. */
  connect: TVmConnect | null;
}

export interface TVmDetail extends TVmSummary {
  vcpus: number;
  memoryMiB: number;
  stateReason: string | null;
  volumes: { name: string; kind: string; sizeGiB: number; state: string; pool: { name: string } }[];
}

export interface TJobSummary {
  id: string;
  kind: string;
  state: string;
  progress: number;
  step: string | null;
  errorMessage: string | null;
  /** How long the agent's work took (a migration): the REST API's job answers it; locally it is in `result`. */
  durationMs?: number | null;
  /** Local only: the agent's result. */
  result?: unknown;
}

export interface TOfferingSummary {
  id: string;
  name: string;
  vcpus: number;
  memoryMiB: number;
  rootDiskGiB: number;
  /** The network its VMs' NIC goes on; null: the default network. */
  network: { id: string; name: string } | null;
}

export interface THostSummary {
  id: string;
  name: string;
  state: string;
  cpus: number;
  vcpusAllocated: number;
  memoryMiB: number;
  memMiBAllocated: number;
  /** Local only: the libvirt URI (the REST API does not show it). */
  uri?: string;
}

/** `carve disk-offering create`'s input (core's create-disk-offering fields). */
export interface TCreateDiskOfferingArgs {
  name: string;
  sizeGiB?: number;
  minSizeGiB?: number;
  maxSizeGiB?: number;
  scope: string;
  storageTags: string[];
  description?: string | undefined;
}

export interface TPoolSummary {
  id: string;
  name: string;
  scope: string;
  state: string;
  libvirtName: string;
  path: string;
  hosts: { id: string; name: string }[];
}

export interface TQuotaSummary {
  scope: string;
  limits: { vms: number | null; vcpus: number | null; memoryMiB: number | null; storageGiB: number | null };
  use: { vms: number; vcpus: number; memoryMiB: number; storageGiB: number };
}

/** `carve quota set`'s input: a limit of null removes it, one left out stays. */
export interface TSetQuotaArgs {
  user?: string | undefined;
  group?: string | undefined;
  maxVms?: number | null | undefined;
  maxVcpus?: number | null | undefined;
  maxMemMiB?: number | null | undefined;
  maxStorGiB?: number | null | undefined;
}

/** A generated VM password, shown once. */
export interface TRevealedPasswordView {
  vmId: string;
  vmName: string;
  user: string;
  password: string;
}

/** An API key without its secret; its instants are Dates locally, ISO text from the REST API. */
export interface TApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scope: string;
  createdAt: Date | string;
  lastUsedAt: Date | string | null;
  expiresAt: Date | string | null;
  revokedAt: Date | string | null;
  user: { username: string };
}

// day-2 (issue 19)
/** What declaring a host dead did: each VM's outcome, and the restart jobs. */
export interface TDeclaredDeadSummary {
  host: { id: string; name: string };
  fenced: boolean;
  vms: TDeadHostVm[];
  jobs: TJobSummary[];
}
