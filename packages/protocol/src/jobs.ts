import { z } from "zod";
import { ZConsoleAttachPayload, ZConsoleAttachResult } from "./console.ts";
import { ZSealed } from "./join.ts";
import { PROTOCOL_VERSION } from "./version.ts";

/** Identifiers of libvirt objects that Carve hands to the agent: ids, pool names, volume names. */
const ZId = z.uuid();
/** Pool and volume names come from admins, but they still reach libvirt: keep them boring. */
export const ZLibvirtName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "only letters, digits and . _ + - are allowed");

export const ZVolumeRef = z.object({
  volumeId: ZId,
  pool: ZLibvirtName,
  name: ZLibvirtName,
});
export type TVolumeRef = z.infer<typeof ZVolumeRef>;

/** A guest user name (set-user-password, cloud-init): no shell or virsh syntax can hide in it. */
export const ZGuestUser = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,31}$/, "must be a user name: a letter, then letters, digits, _ . or - (at most 32)");

/**
 * What a cloud-init NoCloud seed gives a new guest. The agent writes it to an ISO (volume label
 * `cidata`) attached as a read-only CD-ROM; only templates that declare cloud-init support get one.
 */
export const ZCloudInit = z.object({
  /** The VM's name: an RFC 1123 label. */
  hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be an RFC 1123 label"),
  /** OpenSSH public key lines, validated by core; one line each. */
  sshAuthorizedKeys: z.array(z.string().min(1).max(16_384).regex(/^[^\r\n]+$/, "must be one line")).max(100),
  /** A first password for `passwordUser`, sealed to the host's key (SEAL_PURPOSE_JOB_SECRET). */
  password: ZSealed.optional(),
  passwordUser: ZGuestUser.default("root"),
});
export type TCloudInit = z.output<typeof ZCloudInit>;

/** A MAC Carve allocated: QEMU's locally administered prefix 52:54:00, lowercase. */
export const ZMacAddress = z.string().regex(/^52:54:00(:[0-9a-f]{2}){3}$/, "must be a MAC address 52:54:00:xx:xx:xx (lowercase hex)");

/**
 * A guest NIC as core allocated it (core/networks/ipam): the libvirt network or Linux bridge it
 * plugs into, its MAC, and on networks with a range the address reserved for it (with the prefix,
 * gateway and DNS name the guest or the network's DHCP/DNS need). Optional in vm.create: an agent
 * that does not know it yet keeps attaching its configured network (wave 2, issue 17).
 */
export const ZNicSpec = z.object({
  network: z.object({ kind: z.enum(["managed", "bridge"]), name: ZLibvirtName }),
  mac: ZMacAddress,
  ip: z.ipv4().nullable(),
  prefix: z.number().int().min(8).max(30),
  gateway: z.ipv4().nullable(),
  /** <vm>.<domain> when the network has a DNS domain. */
  hostname: z.string().max(253).regex(/^[a-z0-9.-]+$/).nullable(),
  /** The libvirt nwfilter applied to the NIC (security groups): `<filterref filter=NAME/>`; none when absent. */
  filter: ZLibvirtName.optional(),
});
export type TNicSpec = z.infer<typeof ZNicSpec>;

// security groups (issue 17)
/** An IPv4 network in CIDR notation (core normalised it: host bits zero). */
const ZCidr = z.string().regex(/^(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.0.0.0/8");

/** One ingress rule of a VM's filter, resolved by core: a source group is already its members' addresses. */
export const ZFilterRule = z.object({
  protocol: z.enum(["tcp", "udp", "icmp", "all"]),
  /** tcp/udp: the first and last port, both included; null for icmp and all. */
  portFrom: z.number().int().min(1).max(65535).nullable(),
  portTo: z.number().int().min(1).max(65535).nullable(),
  sourceCidr: ZCidr,
});
export type TFilterRule = z.infer<typeof ZFilterRule>;

/**
 * A VM's network filter as core renders it from the VM's security groups: anti-spoofing for its
 * address, the ingress rules, established traffic and all egress accepted, other ingress dropped.
 */
export const ZVmFilter = z.object({
  /** vmFilterName(vmId): the NIC's filterref names it. */
  name: ZLibvirtName,
  /** The address Carve allocated the NIC (anti-spoofing); null: libvirt learns it from the guest's traffic. */
  ip: z.ipv4().nullable(),
  rules: z.array(ZFilterRule).max(2000),
});
export type TVmFilter = z.infer<typeof ZVmFilter>;

/** Defines (or redefines: libvirt re-applies it to running NICs at once) a VM's filter on its host; idempotent. */
export const ZVmFilterPayload = z.object({ vmId: ZId, filter: ZVmFilter });
export const ZVmFilterResult = z.object({
  vmId: ZId,
  name: ZLibvirtName,
  rules: z.number().int().min(0),
  /** false: the VM has no domain on this host (destroyed, or not/no longer here), so no filter was defined. */
  applied: z.boolean(),
});

export const ZVmCreatePayload = z.object({
  vmId: ZId,
  /** Shown as the domain's <title>; escaped by the XML builder. */
  title: z.string().max(255),
  vcpus: z.number().int().min(1).max(256),
  memoryMiB: z.number().int().min(16).max(4 * 1024 * 1024),
  rootVolume: ZVolumeRef.extend({ sizeGiB: z.number().int().min(1).max(65536) }),
  /** The template's copy in the same pool; the root volume is a copy-on-write clone of it. */
  template: z.object({ pool: ZLibvirtName, name: ZLibvirtName, format: z.enum(["qcow2", "raw"]) }),
  /** Start the domain after defining it. */
  start: z.boolean().default(true),
  /** A NoCloud seed to build and attach; absent for templates without cloud-init. */
  cloudInit: ZCloudInit.optional(),
  /** Empty data volumes to create and attach with the root disk (createVm's dataDisks). */
  dataVolumes: z.array(ZVolumeRef.extend({ sizeGiB: z.number().int().min(1).max(65536), deviceIndex: z.number().int().min(1).max(25) })).max(8).optional(),
  /** The VM's NICs in device order (absent: the agent's own network setting, as before networks were records). */
  nics: z.array(ZNicSpec).max(8).optional(),
  /** The NICs' network filter, defined before the domain starts (security groups, issue 17). */
  filter: ZVmFilter.optional(),
});
export const ZVmCreateResult = z.object({
  vmId: ZId,
  domainUuid: ZId,
  state: z.enum(["running", "stopped"]),
  rootVolumePath: z.string(),
});

export const ZVmRef = z.object({ vmId: ZId });
export const ZVmStopPayload = ZVmRef.extend({
  /** Seconds to wait for the guest to power off after ACPI shutdown before forcing it off. */
  gracefulTimeoutSec: z.number().int().min(0).max(3600).default(60),
  force: z.boolean().default(false),
});
export const ZVmPowerResult = z.object({
  vmId: ZId,
  state: z.enum(["running", "stopped"]),
  /** True when a graceful stop timed out and the domain was forced off. */
  forced: z.boolean().default(false),
});
export const ZVmDestroyPayload = ZVmRef.extend({ volumes: z.array(ZVolumeRef) });
export const ZVmDestroyResult = z.object({
  vmId: ZId,
  removedDomain: z.boolean(),
  removedVolumes: z.array(ZLibvirtName),
});

/** Sets a guest user's password through the QEMU guest agent; the password is sealed to the host's key. */
export const ZVmSetPasswordPayload = ZVmRef.extend({
  user: ZGuestUser,
  password: ZSealed,
});
/** Never carries the password: results rest in Redis and in the Job row. */
export const ZVmSetPasswordResult = z.object({ vmId: ZId, user: ZGuestUser });

/** Absolute paths the agent may read from: plain segments, none starting with a dot. */
const ZAbsolutePath = z.string().max(4096).regex(/^(?:\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)+$/, "must be an absolute path of plain segments");

/**
 * Copies a template's image into a pool as a volume (the base that root disks clone). Idempotent:
 * a volume of that name and capacity already there is the copy.
 */
export const ZTemplateCopyPayload = z.object({
  templateId: ZId,
  pool: ZLibvirtName,
  volume: ZLibvirtName,
  format: z.enum(["qcow2", "raw", "iso"]),
  /** The image file's size in bytes. */
  sizeBytes: z.number().int().min(1),
  /** The disk size the image presents (a qcow2's virtual size; otherwise sizeBytes). */
  capacityBytes: z.number().int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Where the agent reads the image: a file in the controller's template store (same filesystem for now). */
  source: z.object({ path: ZAbsolutePath }),
});
export const ZTemplateCopyResult = z.object({
  templateId: ZId,
  pool: ZLibvirtName,
  volume: ZLibvirtName,
  path: z.string(),
  /** True when the volume was already there (a retried job). */
  alreadyPresent: z.boolean(),
});

/** A host name or address an NFS server is reached by. */
const ZServerName = z.string().max(253).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "must be a host name or IPv4 address");

/**
 * Defines a storage pool in libvirt on one host, builds its target, starts it and marks it
 * autostart. Idempotent: a libvirt pool with the same target path (under any name) is adopted.
 */
export const ZPoolDefinePayload = z.object({
  poolId: ZId,
  /** The name to define it under when no libvirt pool has this target yet. */
  name: ZLibvirtName,
  kind: z.enum(["dir", "netfs"]),
  path: ZAbsolutePath,
  /** netfs only: the NFS server and export. */
  source: z.object({ host: ZServerName, path: ZAbsolutePath }).optional(),
});
export const ZPoolDefineResult = z.object({
  poolId: ZId,
  /** The pool's name in libvirt on this host: the requested one, or an adopted pool's own. */
  name: ZLibvirtName,
  adopted: z.boolean(),
  capacityBytes: z.number().nonnegative(),
  allocationBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
});

/** A data volume's disk in a domain: virtio, `vd` + letter of its device index (vda is the root disk). */
export const ZDiskDevice = z.object({ deviceIndex: z.number().int().min(1).max(25) });
/** The agent's name for a device index: 1 → vdb. */
export const diskTarget = (deviceIndex: number): string => `vd${String.fromCharCode(97 + deviceIndex)}`;

const ZSizeGiB = z.number().int().min(1).max(65536);
/** An empty (thin, qcow2) data volume; idempotent by volume id: one already there is the volume. */
export const ZVolumeCreatePayload = ZVolumeRef.extend({ sizeGiB: ZSizeGiB });
export const ZVolumeCreateResult = z.object({ volumeId: ZId, path: z.string(), alreadyPresent: z.boolean() });
/** Attaches a volume to a VM's domain: live when it runs (and persistently), in its definition when stopped. */
export const ZVolumeAttachPayload = ZVolumeRef.extend({ vmId: ZId, ...ZDiskDevice.shape });
export const ZVolumeAttachResult = z.object({ volumeId: ZId, vmId: ZId, target: z.string(), live: z.boolean(), alreadyAttached: z.boolean() });
export const ZVolumeDetachPayload = ZVolumeRef.extend({ vmId: ZId, ...ZDiskDevice.shape });
export const ZVolumeDetachResult = z.object({ volumeId: ZId, vmId: ZId, live: z.boolean(), alreadyDetached: z.boolean() });
/** Grows a volume; attached to a running VM it is resized live (the guest sees the new size). */
export const ZVolumeResizePayload = ZVolumeRef.extend({ sizeGiB: ZSizeGiB, attachedTo: z.object({ vmId: ZId, ...ZDiskDevice.shape }).optional() });
export const ZVolumeResizeResult = z.object({ volumeId: ZId, sizeGiB: ZSizeGiB, live: z.boolean() });
export const ZVolumeDeletePayload = ZVolumeRef;
export const ZVolumeDeleteResult = z.object({ volumeId: ZId, removed: z.boolean() });

/** A libvirt URI a source host's agent uses to reach the destination's libvirtd. */
export const ZLibvirtUri = z
  .string()
  .max(1000)
  .regex(/^(?:test|qemu(?:\+[a-z]+)?):\/\/[A-Za-z0-9._~:/?&=%@+-]*$/, "must be a libvirt URI such as qemu+tcp://host-b/system");

/** A disk that moves with a live migration (libvirt's copy-storage): where it is, where it goes. */
export const ZMigrateDisk = z.object({
  source: ZVolumeRef,
  /** The volume to pre-create in the destination host's pool (same capacity and format). */
  target: ZVolumeRef,
  capacityBytes: z.number().int().min(1),
  format: z.enum(["qcow2", "raw"]),
});
export type TMigrateDisk = z.infer<typeof ZMigrateDisk>;

/**
 * Live-migrates a running VM to another host: sent to the SOURCE host's queue. With `disks` empty
 * the storage is shared and only memory moves; otherwise those disks are copied too.
 */
export const ZVmMigratePayload = ZVmRef.extend({
  destination: z.object({
    /** The destination host's name, for messages. */
    hostName: z.string().max(200),
    uri: ZLibvirtUri,
    /** QEMU's migration stream address on the destination (tcp://ADDRESS[:PORT]). */
    address: z
      .string()
      .regex(/^tcp:\/\/[A-Za-z0-9.:[\]-]+$/, "must be tcp://ADDRESS[:PORT]")
      .optional(),
    /** Where the destination logs serial consoles; absent: the source's own directory. */
    consoleLogDir: ZAbsolutePath.optional(),
  }),
  disks: z.array(ZMigrateDisk).max(64).default([]),
  /**
   * The disks that stay are on pools Carve knows both hosts share (registered as Shared): libvirt's
   * own check, which recognises only some network filesystems, is overridden (`--unsafe`).
   */
  trustSharedStorage: z.boolean().default(false),
  /** Seconds after which the migration is aborted and the VM stays on the source. */
  timeoutSec: z.number().int().min(10).max(86_400).default(1800),
  /** The VM's network filter, defined on the destination before the domain moves (its NIC refers to it). */
  filter: ZVmFilter.optional(),
  /** The VM's NICs: their DHCP/DNS entries are added on the destination before, and removed here after (issue 17). */
  nics: z.array(ZNicSpec).max(8).optional(),
});
export const ZVmMigrateResult = z.object({
  vmId: ZId,
  state: z.literal("running"),
  /** Wall time of the migration itself (from the start of `virsh migrate` to its end). */
  durationMs: z.number().int().min(0),
  /** Each moved disk's path on the destination. */
  diskPaths: z.array(z.object({ volumeId: ZId, path: z.string() })).default([]),
});

/**
 * Defines a stopped VM's domain on this host (the cold half of a move): its disks are volumes in
 * pools this host sees. Idempotent: a domain of that UUID already defined is the job done (and,
 * with `start`, started if it is not running yet).
 */
export const ZVmDefinePayload = ZVmRef.extend({
  title: z.string().max(255),
  vcpus: z.number().int().min(1).max(256),
  memoryMiB: z.number().int().min(16).max(4 * 1024 * 1024),
  rootVolume: ZVolumeRef.extend({
    format: z.enum(["qcow2", "raw"]),
    /**
     * A root overlay copied from another host: its backing file still names the source's template
     * copy, so it is rebased (metadata only) onto this template volume here before the define.
     */
    rebaseOnto: z.object({ pool: ZLibvirtName, name: ZLibvirtName, format: z.enum(["qcow2", "raw"]) }).optional(),
  }),
  /** Data volumes attached to the VM, at their device index. */
  dataVolumes: z.array(ZVolumeRef.extend(ZDiskDevice.shape)).max(24).default([]),
  /** The VM's NICs (same MACs and addresses as on the source; DHCP/DNS entries are added here). Absent: the agent's own network. */
  nics: z.array(ZNicSpec).max(8).optional(),
  /** The VM's network filter (security groups), defined here before the domain (its NICs refer to it). */
  filter: ZVmFilter.optional(),
  /** Start the domain once defined (a VM restarted here from shared disks after its host was declared dead). */
  start: z.boolean().default(false),
});
export const ZVmDefineResult = z.object({ vmId: ZId, state: z.enum(["stopped", "running"]), rootVolumePath: z.string() });

/** Removes a stopped VM's domain definition from this host, keeping its disks (the other half of a move). */
export const ZVmUndefineResult = z.object({ vmId: ZId, removedDomain: z.boolean() });

/** Where a destination agent receives volume streams: HOST:PORT as the source host reaches it. */
export const ZStreamAddress = z.string().max(300).regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}$/, "must be HOST:PORT");

/**
 * Storage migration, source half (sent to the SOURCE host; it is the user's Job): streams the
 * volume's file to the destination agent's receiver, authenticated by a one-time token sealed to
 * this host, with a bandwidth cap; deletes the source only after the destination confirmed its
 * verified copy (sha256). Cancelled through the job's cancel key.
 */
export const ZVolumeMigratePayload = z.object({
  volumeId: ZId,
  source: z.object({ pool: ZLibvirtName, name: ZLibvirtName }),
  destination: z.object({ hostName: z.string().max(200), address: ZStreamAddress, pool: ZLibvirtName }),
  /** The one-time stream token, sealed to this host's key (SEAL_PURPOSE_JOB_SECRET). */
  token: ZSealed,
  /** MiB/s; 0 = unlimited. */
  bandwidthMiBps: z.number().int().min(0).max(1_000_000).default(0),
  /** How long to keep trying to reach the receiver (it starts as a separate job on the destination). */
  connectTimeoutSec: z.number().int().min(1).max(3600).default(120),
  /**
   * The volume is a disk of this stopped VM (whose domain is on this host): once the copy is
   * verified, the domain's disk at `target` is pointed at it, before the source is deleted.
   */
  disk: z.object({ vmId: ZId, target: z.string().regex(/^vd[a-z]$/, "must be a virtio disk target such as vda") }).optional(),
  /**
   * Keep the source after the verified copy (a stopped VM moving host with its disks: its source
   * stays authoritative until the VM is defined on the target; core deletes the source afterwards).
   */
  keepSource: z.boolean().default(false),
});
export const ZVolumeMigrateResult = z.object({
  volumeId: ZId,
  /** The volume's path in the destination pool. */
  path: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  durationMs: z.number().int().min(0),
  sourceDeleted: z.boolean(),
});
/**
 * Storage migration, destination half (sent to the DESTINATION host): accepts exactly one stream
 * for this volume carrying the token sealed to this host, writes it under a temporary name
 * (<name>.partial), checks its sha256 against the sender's, then makes it the volume. Idempotent
 * by volume id: a newer receive for the same volume replaces an older one; partials are removed.
 */
export const ZVolumeMigrateReceivePayload = z.object({
  volumeId: ZId,
  target: z.object({ pool: ZLibvirtName, name: ZLibvirtName }),
  token: ZSealed,
  /** Give up when no sender connected within this many seconds. */
  waitSec: z.number().int().min(1).max(3600).default(180),
});
export const ZVolumeMigrateReceiveResult = z.object({ volumeId: ZId, path: z.string(), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

// networks (issue 17)
/**
 * Defines a guest network on one host. Managed: a libvirt network (NAT or routed) with its bridge,
 * gateway address and dnsmasq DNS domain, started and autostarted; one already there with the same
 * name or bridge is adopted, never redefined. Bridge: the Linux bridge must exist on the host.
 */
export const ZNetworkDefinePayload = z.object({
  networkId: ZId,
  kind: z.enum(["managed", "bridge"]),
  /** Managed: the libvirt network's name; Bridge: the bridge's name (how NICs name it). */
  name: ZLibvirtName,
  /** The Linux bridge: required for bridge networks; for managed ones the bridge libvirt creates (libvirt picks one when absent). */
  bridge: ZLibvirtName.max(15).optional(),
  mode: z.enum(["nat", "routed"]).default("nat"),
  /** Managed: the host's address on the bridge (the guests' gateway) and the subnet's prefix. */
  address: z.ipv4().optional(),
  prefix: z.number().int().min(8).max(30).optional(),
  /** The addresses Carve allocates: dnsmasq then serves DHCP to the reserved hosts only. */
  range: z.object({ start: z.ipv4(), end: z.ipv4() }).optional(),
  dnsDomain: z.string().max(253).regex(/^[a-z0-9.-]+$/).optional(),
});
export const ZNetworkDefineResult = z.object({
  networkId: ZId,
  /** The network's name in libvirt (an adopted one's own), or the bridge's. */
  name: ZLibvirtName,
  adopted: z.boolean(),
  active: z.boolean(),
  bridge: z.string().nullable(),
});
export type TNetworkDefinePayload = z.output<typeof ZNetworkDefinePayload>;
/**
 * Removes a managed network Carve defined on this host (its network was deleted, or the host taken
 * off it): stopped (net-destroy) and undefined. Idempotent: a network already gone is fine. Never
 * sent for one network.define adopted: that one was the host's before Carve, and stays.
 */
export const ZNetworkUndefinePayload = z.object({ networkId: ZId, name: ZLibvirtName });
export const ZNetworkUndefineResult = z.object({
  networkId: ZId,
  name: ZLibvirtName,
  /** false: it was not defined here. */
  removed: z.boolean(),
});

// networks (issue 17): what a host's managed networks and filters hold, for the drift list
/** A MAC as libvirt writes it (lowercase); any vendor prefix, as drift may be anyone's. */
const ZAnyMac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, "must be a lowercase MAC address");
export const ZInventoryNetwork = z.object({
  /** The libvirt network's name. */
  name: z.string(),
  dhcpHosts: z.array(z.object({ mac: z.string(), ip: z.string(), name: z.string().nullable() })),
  dnsHosts: z.array(z.object({ ip: z.string(), hostnames: z.array(z.string()) })),
});
export type TInventoryNetwork = z.infer<typeof ZInventoryNetwork>;
/**
 * Removes one thing the drift list shows on this host: a DHCP host entry (exactly that MAC and
 * address) or a DNS record of a managed network, or a Carve-named network filter no domain uses.
 * Idempotent: already gone is fine (`removed: false`).
 */
export const ZDriftRemovePayload = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("dhcp-host"), network: ZLibvirtName, mac: ZAnyMac, ip: z.ipv4() }),
  z.object({ kind: z.literal("dns-host"), network: ZLibvirtName, ip: z.ipv4() }),
  z.object({ kind: z.literal("filter"), name: ZLibvirtName.regex(/^carve-vm-/, "must be a Carve-named filter (carve-vm-…)") }),
  // storage under Carve (issue 19): a Carve-named file no volume owns (a disk a move left in its source pool), by its name.
  z.object({ kind: z.literal("volume"), pool: ZLibvirtName, name: ZLibvirtName.regex(/^carve-[0-9a-f-]{36}\.qcow2$/, "must be a Carve-named volume (carve-ID.qcow2)") }),
]);
export const ZDriftRemoveResult = z.object({ removed: z.boolean() });

export const ZInventoryResult = z.object({
  hostname: z.string(),
  cpus: z.number().int(),
  memoryMiB: z.number().int(),
  domains: z.array(z.object({ name: z.string(), uuid: z.string(), state: z.enum(["running", "stopped", "paused", "other"]) })),
  pools: z.array(
    z.object({
      name: z.string(),
      capacityBytes: z.number(),
      allocationBytes: z.number(),
      availableBytes: z.number(),
      volumes: z.array(z.string()),
      // storage under Carve (issue 19): absent from older agents (copies are then judged by presence only)
      /** Each volume's capacity in bytes, by name (a qcow2's virtual size, a raw file's size). */
      sizes: z.record(z.string(), z.number().int().min(0)).optional(),
    }),
  ),
  // networks (issue 17): absent from agents that predate them (drift of these kinds is then left as it was)
  /** Every libvirt network on the host with its DHCP host entries and DNS records. */
  networks: z.array(ZInventoryNetwork).optional(),
  /** The Carve-named network filters (carve-vm-<vm id>) defined on the host. */
  filters: z.array(z.string()).optional(),
  /** The addresses the host sees on running Carve domains' bridge NICs (ARP or guest agent): learned, not allocated. */
  addresses: z.array(z.object({ domain: z.string(), mac: z.string(), ip: z.ipv4() })).optional(),
});

/**
 * Every job Carve sends to an agent: its name, the schema of its payload and of its result.
 * Payloads are validated when enqueued (core) and again in the worker (agent).
 */
export const JOBS = {
  "vm.create": { payload: ZVmCreatePayload, result: ZVmCreateResult },
  "vm.start": { payload: ZVmRef, result: ZVmPowerResult },
  "vm.stop": { payload: ZVmStopPayload, result: ZVmPowerResult },
  "vm.reboot": { payload: ZVmRef, result: ZVmPowerResult },
  "vm.destroy": { payload: ZVmDestroyPayload, result: ZVmDestroyResult },
  "vm.set-password": { payload: ZVmSetPasswordPayload, result: ZVmSetPasswordResult },
  "template.copy": { payload: ZTemplateCopyPayload, result: ZTemplateCopyResult },
  "pool.define": { payload: ZPoolDefinePayload, result: ZPoolDefineResult },
  "volume.create": { payload: ZVolumeCreatePayload, result: ZVolumeCreateResult },
  "volume.attach": { payload: ZVolumeAttachPayload, result: ZVolumeAttachResult },
  "volume.detach": { payload: ZVolumeDetachPayload, result: ZVolumeDetachResult },
  "volume.resize": { payload: ZVolumeResizePayload, result: ZVolumeResizeResult },
  "volume.delete": { payload: ZVolumeDeletePayload, result: ZVolumeDeleteResult },
  "host.inventory": { payload: z.object({}), result: ZInventoryResult },
  "vm.migrate": { payload: ZVmMigratePayload, result: ZVmMigrateResult },
  "vm.define": { payload: ZVmDefinePayload, result: ZVmDefineResult },
  "vm.undefine": { payload: ZVmRef, result: ZVmUndefineResult },
  "volume.migrate": { payload: ZVolumeMigratePayload, result: ZVolumeMigrateResult },
  "volume.migrate-receive": { payload: ZVolumeMigrateReceivePayload, result: ZVolumeMigrateReceiveResult },
  // security groups (issue 17)
  "vm.filter": { payload: ZVmFilterPayload, result: ZVmFilterResult },
  // networks (issue 17)
  "network.define": { payload: ZNetworkDefinePayload, result: ZNetworkDefineResult },
  "network.undefine": { payload: ZNetworkUndefinePayload, result: ZNetworkUndefineResult },
  "drift.remove": { payload: ZDriftRemovePayload, result: ZDriftRemoveResult },
  // console (issue 18)
  "console.attach": { payload: ZConsoleAttachPayload, result: ZConsoleAttachResult },
} as const;

export type TJobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as TJobName[];
export type TJobPayload<N extends TJobName> = z.input<(typeof JOBS)[N]["payload"]>;
export type TJobPayloadParsed<N extends TJobName> = z.output<(typeof JOBS)[N]["payload"]>;
export type TJobResult<N extends TJobName> = z.output<(typeof JOBS)[N]["result"]>;

/** What is stored as BullMQ job data: the envelope checks the protocol version first. */
export const ZJobEnvelope = z.object({
  protocolVersion: z.number().int(),
  /** The database Job id; also the BullMQ job id, so enqueueing twice is a no-op (a transient job's BullMQ id is prefixed: see core's bullmq-job-queues.ts). */
  jobId: ZId,
  payload: z.unknown(),
});
export type TJobEnvelope = z.infer<typeof ZJobEnvelope>;

export function envelope<N extends TJobName>(name: N, jobId: string, payload: TJobPayload<N>): TJobEnvelope {
  return { protocolVersion: PROTOCOL_VERSION, jobId, payload: JOBS[name].payload.parse(payload) };
}

export function isJobName(name: string): name is TJobName {
  return Object.hasOwn(JOBS, name);
}

/** Progress an agent reports while it works: a step name and a percentage. */
export const ZJobProgress = z.object({ percent: z.number().min(0).max(100), step: z.string().max(200) });
export type TJobProgress = z.infer<typeof ZJobProgress>;
