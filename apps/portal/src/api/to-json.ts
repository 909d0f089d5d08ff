import { type TAuditView, type TSshKeyView, type TUsageHistory, type TVmEventPage, type TVmView, type TVolumeView, VM_ACTIONS } from "@carve/core";
import type { THostJson, TJobJson, TPasswordRevealJson, TSshKeyJson, TUsageJson, TVmEventPageJson, TVmJson, TVolumeJson, TDiskOfferingJson, TOfferingJson, TApiKeyJson } from "./schemas.ts";
import type { TDriftView, TJoinToken, TStatus } from "@carve/core";
import type { TAddedHostJson, TDriftJson, TJoinTokenJson, TStatusJson } from "./host-schemas.ts";
import type { TAddedPoolJson, TAdminTemplateJson, TAuditEntryJson, TTemplateCopyJson } from "./admin-schemas.ts";
import type { TAggregateReport, TUsageReport } from "@carve/core";
import type { TCreatedUserJson, TGroupJson, TUsageAggregateJson, TUsageReportJson, TUserJson } from "./admin-schemas.ts";

/** A job row; `result` (the agent's, when selected) only for its duration. */
type TJobRow = Omit<TJobJson, "createdAt" | "finishedAt" | "durationMs"> & { createdAt: Date; finishedAt: Date | null; result?: unknown };

function durationMsOf(result: unknown): number | null {
  const ms = typeof result === "object" && result !== null && "durationMs" in result ? result.durationMs : null;
  return typeof ms === "number" && Number.isInteger(ms) ? ms : null;
}
type THostRow = Omit<THostJson, "vcpusCapacity" | "memMiBCapacity" | "lastHeartbeatAt"> & { cpuOvercommit: number; memOvercommit: number; lastHeartbeatAt: Date | null };

const USER_ACTIONS = ["start", "stop", "reboot", "destroy"] as const;

export function toVmJson(vm: TVmView): TVmJson {
  const actions: TVmJson["actions"] = vm.activeJobId ? [] : USER_ACTIONS.filter((action) => (VM_ACTIONS[action].from as readonly string[]).includes(vm.state));
  // day-2 (issue 19): a Lost VM can also be re-created from its template.
  if (!vm.activeJobId && vm.state === "Lost") actions.push("recreate");
  return { ...vm, createdAt: vm.createdAt.toISOString(), updatedAt: vm.updatedAt.toISOString(), volumes: vm.volumes.map((v) => ({ ...v, kind: String(v.kind), state: String(v.state) })), actions };
}

export function toJobJson(job: TJobRow): TJobJson {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    progress: job.progress,
    step: job.step,
    vmId: job.vmId,
    errorCode: job.errorCode,
    errorMessage: job.errorMessage,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    durationMs: durationMsOf(job.result),
  };
}

/** A host with its capacity as placement counts it (overcommit applied), so bars show real headroom. */
export function toHostJson(host: THostRow): THostJson {
  return {
    id: host.id,
    name: host.name,
    state: host.state,
    cpus: host.cpus,
    vcpusAllocated: host.vcpusAllocated,
    vcpusCapacity: Math.floor(host.cpus * host.cpuOvercommit),
    memoryMiB: host.memoryMiB,
    memMiBAllocated: host.memMiBAllocated,
    memMiBCapacity: Math.floor(host.memoryMiB * host.memOvercommit),
    lastHeartbeatAt: host.lastHeartbeatAt?.toISOString() ?? null,
  };
}

export function toVmEventPageJson(page: TVmEventPage): TVmEventPageJson {
  return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
}

export function toUsageJson(usage: TUsageHistory): TUsageJson {
  return {
    granularity: usage.granularity,
    from: usage.from.toISOString(),
    to: usage.to.toISOString(),
    periods: usage.periods.map((p) => ({ ...p, periodStart: p.periodStart.toISOString() })),
    totals: usage.totals,
  };
}

/** Where a generated password waits for its one view (POST it), and until when; null when none was generated. */
export function passwordRevealJson(vmId: string, reveal: { expiresAt: Date } | null): TPasswordRevealJson | null {
  return reveal && { url: `/api/v1/vms/${vmId}/password/reveal`, expiresAt: reveal.expiresAt.toISOString() };
}

export function toSshKeyJson(key: TSshKeyView): TSshKeyJson {
  return { ...key, createdAt: key.createdAt.toISOString() };
}

export function toAuditEntryJson(entry: TAuditView): TAuditEntryJson {
  return { ...entry, at: entry.at.toISOString(), outcome: entry.outcome as TAuditEntryJson["outcome"] };
}

export function toVolumeJson(volume: TVolumeView): TVolumeJson {
  return { ...volume, createdAt: volume.createdAt.toISOString() };
}

// A service or disk offering as the API answers it (the lists and the admin create routes).
type TOfferingRow = { id: string; name: string; description: string | null; vcpus: number; memoryMiB: number; rootDiskGiB: number; network: { id: string; name: string } | null };
export function toOfferingJson(o: TOfferingRow): TOfferingJson {
  return { id: o.id, name: o.name, description: o.description, vcpus: o.vcpus, memoryMiB: o.memoryMiB, rootDiskGiB: o.rootDiskGiB, network: o.network };
}

type TDiskOfferingRow = { id: string; name: string; description: string | null; sizeGiB: number | null; minSizeGiB: number | null; maxSizeGiB: number | null; scope: "Local" | "Shared"; storageTags: string[] };
export function toDiskOfferingJson(d: TDiskOfferingRow): TDiskOfferingJson {
  return { id: d.id, name: d.name, description: d.description, sizeGiB: d.sizeGiB, minSizeGiB: d.minSizeGiB, maxSizeGiB: d.maxSizeGiB, scope: d.scope, storageTags: d.storageTags };
}

// apikey create|list|revoke
type TApiKeyRow = Omit<TApiKeyJson, "createdAt" | "lastUsedAt" | "expiresAt" | "revokedAt" | "scope"> & { scope: string; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null };

export function toApiKeyJson(key: TApiKeyRow): TApiKeyJson {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return { ...key, scope: key.scope as TApiKeyJson["scope"], createdAt: key.createdAt.toISOString(), lastUsedAt: iso(key.lastUsedAt), expiresAt: iso(key.expiresAt), revokedAt: iso(key.revokedAt) };
}

// status, host add|join-token|remove|inspect, drift list (host-schemas.ts)
export function toStatusJson(status: TStatus): TStatusJson {
  return { ...status, hosts: status.hosts.map((h) => ({ ...h, state: h.state as TStatusJson["hosts"][number]["state"], lastHeartbeatAt: h.lastHeartbeatAt?.toISOString() ?? null })) };
}

/** A host just added, with its join token (shown this once) and the join command built with the portal's Redis settings. */
type TAddedHostRow = Omit<TAddedHostJson, "createdAt" | "joinToken" | "joinCommand"> & { createdAt: Date; joinToken: TJoinToken };
export function toAddedHostJson(host: TAddedHostRow, joinCommand: string): TAddedHostJson {
  return {
    id: host.id,
    name: host.name,
    uri: host.uri,
    state: host.state,
    cpuOvercommit: host.cpuOvercommit,
    memOvercommit: host.memOvercommit,
    tags: host.tags,
    createdAt: host.createdAt.toISOString(),
    joinToken: { token: host.joinToken.token, expiresAt: host.joinToken.expiresAt.toISOString() },
    joinCommand,
  };
}

export function toJoinTokenJson(token: TJoinToken & { hostId: string; hostName: string; hostUri: string }, joinCommand: string): TJoinTokenJson {
  return { token: token.token, expiresAt: token.expiresAt.toISOString(), hostId: token.hostId, hostName: token.hostName, hostUri: token.hostUri, joinCommand };
}

export function toDriftJson(item: TDriftView): TDriftJson {
  return { ...item, firstSeenAt: item.firstSeenAt.toISOString(), lastSeenAt: item.lastSeenAt.toISOString(), resolvedAt: item.resolvedAt?.toISOString() ?? null };
}

// pool add|define, template register|add|copy
type TPoolRow = Omit<TAddedPoolJson, "jobs"> & { jobs: TJobRow[] };
export function toAddedPoolJson(pool: TPoolRow): TAddedPoolJson {
  return {
    id: pool.id,
    name: pool.name,
    kind: pool.kind,
    scope: pool.scope,
    state: pool.state,
    stateReason: pool.stateReason,
    libvirtName: pool.libvirtName,
    path: pool.path,
    sourceHost: pool.sourceHost,
    sourcePath: pool.sourcePath,
    tags: pool.tags,
    jobs: pool.jobs.map(toJobJson),
  };
}

type TTemplateRow = Omit<TAdminTemplateJson, "sizeBytes" | "createdAt"> & { sizeBytes: bigint; createdAt: Date };
export function toAdminTemplateJson(t: TTemplateRow): TAdminTemplateJson {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    state: t.state,
    stateReason: t.stateReason,
    progress: t.progress,
    format: t.format,
    sourceUrl: t.sourceUrl,
    sha256: t.sha256,
    sizeBytes: t.sizeBytes.toString(),
    minDiskGiB: t.minDiskGiB,
    supportsCloudInit: t.supportsCloudInit,
    supportsPasswordReset: t.supportsPasswordReset,
    loginUser: t.loginUser,
    createdAt: t.createdAt.toISOString(),
  };
}

export function toTemplateCopyJson({ copy, jobId }: TTemplateCopyJson): TTemplateCopyJson {
  return { copy: { templateId: copy.templateId, poolId: copy.poolId, volumeName: copy.volumeName, state: copy.state, progress: copy.progress, stateReason: copy.stateReason, jobId: copy.jobId }, jobId };
}

// group list|map, user list|create, usage report|aggregate
type TGroupRow = Omit<TGroupJson, "members"> & { _count?: { members: number } };
export function toGroupJson({ id, name, ldapDn, role, isTeam, _count }: TGroupRow): TGroupJson {
  return { id, name, ldapDn, role, isTeam, ...(_count ? { members: _count.members } : {}) };
}

type TUserRow = Omit<TUserJson, "disabledAt" | "lastLoginAt"> & { disabledAt: Date | null; lastLoginAt: Date | null };
export function toUserJson(user: TUserRow): TUserJson {
  return { ...user, disabledAt: user.disabledAt?.toISOString() ?? null, lastLoginAt: user.lastLoginAt?.toISOString() ?? null };
}

export function toCreatedUserJson(user: Omit<TCreatedUserJson, "createdAt"> & { createdAt: Date }): TCreatedUserJson {
  return { ...user, createdAt: user.createdAt.toISOString() };
}

export function toUsageReportJson(report: TUsageReport): TUsageReportJson {
  return { ...report, from: report.from.toISOString(), to: report.to.toISOString() };
}

export function toUsageAggregateJson(done: TAggregateReport): TUsageAggregateJson {
  return { ...done, from: done.from.toISOString(), to: done.to.toISOString(), days: done.days && { from: done.days.from.toISOString(), to: done.days.to.toISOString() } };
}
