// status, host add|join-token|remove|inspect, host maintenance plan|start|cancel, drift list|ignore|destroy:
// the answers of the admin routes under /api/v1/admin/status, /hosts, /jobs/{id}/inventory and /drift.
import { z } from "zod";
import { ANSWER_SCHEMAS, ZJobJson } from "./schemas.ts";

const ZTimestamp = z.iso.datetime();
const ZHostState = z.enum(["Up", "Disconnected", "PrepareForMaintenance", "Maintenance", "Removed", "Dead"]);
const ZHostRef = z.object({ id: z.uuid(), name: z.string(), state: ZHostState });

/** `GET /api/v1/admin/status`: hosts and their use, VMs by state, jobs in flight and recent failures. */
export const ZStatusJson = z
  .object({
    database: z.literal("ok"),
    hosts: z.array(
      z.object({
        name: z.string(),
        state: ZHostState,
        vcpus: z.string().describe("Allocated/capacity (overcommit applied), e.g. 4/16"),
        memoryMiB: z.string().describe("Allocated/capacity in MiB (overcommit applied)"),
        lastHeartbeatAt: ZTimestamp.nullable(),
      }),
    ),
    vms: z.record(z.string(), z.int()).describe("Live VMs by state"),
    jobsInFlight: z.int(),
    failedJobsLastHour: z.int(),
  })
  .register(ANSWER_SCHEMAS, { id: "Status" });

const ZJoinCommand = z.string().describe("What the host's administrator runs on the host, as root: `carve-agent join` with the token and this server's Redis address for hosts");

/** `POST /api/v1/admin/hosts`: the host, Disconnected until its agent joins with the token (shown this once). */
export const ZAddedHostJson = z
  .object({
    id: z.uuid(),
    name: z.string(),
    uri: z.string().describe("The libvirt URI its agent uses"),
    state: ZHostState,
    cpuOvercommit: z.number(),
    memOvercommit: z.number(),
    tags: z.array(z.string()),
    createdAt: ZTimestamp,
    joinToken: z.object({ token: z.string().describe("Works once; not shown again"), expiresAt: ZTimestamp }),
    joinCommand: ZJoinCommand,
  })
  .register(ANSWER_SCHEMAS, { id: "AddedHost" });

/** `POST /api/v1/admin/hosts/{host}/join-token`: a new one-time token (the earlier one no longer works). */
export const ZJoinTokenJson = z
  .object({ token: z.string().describe("Works once; not shown again"), expiresAt: ZTimestamp, hostId: z.uuid(), hostName: z.string(), hostUri: z.string(), joinCommand: ZJoinCommand })
  .register(ANSWER_SCHEMAS, { id: "JoinToken" });

/** `DELETE /api/v1/admin/hosts/{host}`: the host, now Removed. */
export const ZRemovedHostJson = ZHostRef.register(ANSWER_SCHEMAS, { id: "RemovedHost" });

/** `GET /api/v1/admin/jobs/{id}/inventory`: what libvirt on the host had when the agent looked. */
export const ZHostInventoryJson = z
  .object({
    hostname: z.string(),
    cpus: z.int(),
    memoryMiB: z.int(),
    domains: z.array(z.object({ name: z.string(), uuid: z.string(), state: z.enum(["running", "stopped", "paused", "other"]) })),
    pools: z.array(z.object({ name: z.string(), capacityBytes: z.number(), allocationBytes: z.number(), availableBytes: z.number(), volumes: z.array(z.string()) })),
  })
  .register(ANSWER_SCHEMAS, { id: "HostInventory" });

/** A maintenance plan: each VM with how it would leave the host and where to, or what blocks it. */
export const ZMaintenancePlanJson = z
  .object({
    host: ZHostRef,
    moves: z.array(
      z.object({
        vm: z.object({ id: z.uuid(), name: z.string(), state: z.string() }),
        kind: z.enum(["live-migrate", "cold-move", "in-progress", "blocked"]),
        target: z.object({ id: z.uuid(), name: z.string() }).nullable(),
        storageMotion: z.array(z.object({ volumeId: z.uuid(), pool: z.string(), sizeGiB: z.int() })).describe("Local disks copied along"),
        blocker: z.string().nullable().describe("Why the VM cannot leave; null when it can"),
      }),
    ),
    blockers: z.array(z.object({ vm: z.string(), reason: z.string() })),
    message: z.string(),
  })
  .register(ANSWER_SCHEMAS, { id: "MaintenancePlan" });

/** `POST /api/v1/admin/hosts/{host}/maintenance`: the job moving the VMs away and the plan it follows. */
export const ZMaintenanceStartJson = z.object({ job: ZJobJson, plan: ZMaintenancePlanJson }).register(ANSWER_SCHEMAS, { id: "MaintenanceStart" });

/** `DELETE /api/v1/admin/hosts/{host}/maintenance`: the host back in service. */
export const ZMaintenanceCancelJson = z
  .object({ host: ZHostRef, abortedMoves: z.int().describe("Live migrations in flight asked to abort (their VMs stay where they were)") })
  .register(ANSWER_SCHEMAS, { id: "MaintenanceCancel" });

const ZDriftState = z.enum(["Open", "Destroying", "Ignored", "Resolved"]);

/** A domain on a host that Carve does not manage, as reconciliation found it. */
export const ZDriftJson = z
  .object({
    id: z.uuid(),
    host: z.object({ id: z.uuid(), name: z.string() }),
    kind: z.enum(["Domain", "DhcpHost", "DnsHost", "Filter", "Volume"]).describe("A libvirt domain, a managed network's DHCP host entry or DNS record, a VM's network filter, or a file in a pool no volume owns"),
    domainName: z.string().describe("The domain's or filter's name; <network>/<mac>/<ip> for a DHCP host entry, <network>/<ip> for a DNS record, <pool>/<file> for a file"),
    network: z.string().nullable().describe("DhcpHost, DnsHost: the libvirt network"),
    mac: z.string().nullable().describe("DhcpHost: the entry's MAC"),
    ip: z.string().nullable().describe("DhcpHost, DnsHost: the address"),
    pool: z.string().nullable().describe("Volume: the libvirt pool holding the file"),
    domainUuid: z.string().nullable(),
    reportedState: z.string().describe("Its power state as last reported"),
    vmId: z.uuid().nullable().describe("For a Carve-named domain: the VM id in its name"),
    note: z.string().describe("Why it is drift"),
    state: ZDriftState,
    jobId: z.uuid().nullable().describe("The cleanup job of a destroy"),
    firstSeenAt: ZTimestamp,
    lastSeenAt: ZTimestamp,
    resolvedAt: ZTimestamp.nullable(),
  })
  .register(ANSWER_SCHEMAS, { id: "Drift" });
export const ZDriftListJson = z.object({ items: z.array(ZDriftJson) }).register(ANSWER_SCHEMAS, { id: "DriftList" });

/** `POST /api/v1/admin/drift/{id}/ignore`. */
export const ZIgnoredDriftJson = z.object({ id: z.uuid(), domainName: z.string(), state: ZDriftState }).register(ANSWER_SCHEMAS, { id: "IgnoredDrift" });

export type TStatusJson = z.input<typeof ZStatusJson>;
export type TAddedHostJson = z.input<typeof ZAddedHostJson>;
export type TJoinTokenJson = z.input<typeof ZJoinTokenJson>;
export type TDriftJson = z.input<typeof ZDriftJson>;
export type TRemovedHostJson = z.input<typeof ZRemovedHostJson>;
export type THostInventoryJson = z.input<typeof ZHostInventoryJson>;
export type TMaintenancePlanJson = z.input<typeof ZMaintenancePlanJson>;
export type TMaintenanceStartJson = z.input<typeof ZMaintenanceStartJson>;
export type TMaintenanceCancelJson = z.input<typeof ZMaintenanceCancelJson>;
export type TIgnoredDriftJson = z.input<typeof ZIgnoredDriftJson>;
