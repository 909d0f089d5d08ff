/** A storage pool as placement sees it. */
export interface TPlacementPool {
  id: string;
  name: string;
  scope: "Local" | "Shared";
  state: string;
  stateReason: string | null;
  tags: string[];
  capacityBytes: bigint;
  reservedBytes: bigint;
  capacityReported: boolean;
  /** The pool holds a ready copy of the requested template. */
  hasTemplate: boolean;
}

/** One host as placement sees it: a snapshot, no database access. */
export interface TPlacementHost {
  id: string;
  name: string;
  state: string;
  tags: string[];
  cpus: number;
  memoryMiB: number;
  cpuOvercommit: number;
  memOvercommit: number;
  vcpusAllocated: number;
  memMiBAllocated: number;
  pools: TPlacementPool[];
  /** Ids of the networks the host has (absent: none), Unhealthy ones excluded. */
  networkIds?: string[];
  /** The networks whose agent could not define them on this host, with why (issue 17). */
  unhealthyNetworks?: { id: string; reason: string | null }[];
}

export interface TPlacementRequest {
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  hostTags: string[];
  storageTags: string[];
  /** Where the root disk must live; null = either. */
  scope: "Local" | "Shared" | null;
  policy: "spread" | "pack";
  /** Highest share of a pool's capacity that placement may promise (0–1). */
  poolThreshold: number;
  /** The network the VM's NIC is on: only hosts that have it qualify. Absent or null: no NIC, any host. */
  network?: { id: string; name: string } | null;
}

export interface TPlacementChoice {
  host: TPlacementHost;
  pool: TPlacementPool;
}

export interface TPlacementResult {
  /** Host and pool pairs that fit, best first by the policy. */
  candidates: TPlacementChoice[];
  /** Every host that does not fit, with its reason (pool reasons included). */
  rejections: { host: string; reason: string }[];
}

const GIB = 1024n ** 3n;
const freeCpus = (h: TPlacementHost) => Math.floor(h.cpus * h.cpuOvercommit) - h.vcpusAllocated;
const freeMem = (h: TPlacementHost) => Math.floor(h.memoryMiB * h.memOvercommit) - h.memMiBAllocated;
const missing = (wanted: string[], have: string[]) => wanted.filter((t) => !have.includes(t));

/**
 * Filters and ranks hosts and pools for a VM, explaining every host it rejects: host state, the
 * VM's network, host tags, vCPUs, memory, then the pools (template copy, health, scope, storage tags, capacity under
 * the threshold). Pure: no I/O, so a dry-run and the real placement give the same answer.
 */
export function placeVm(hosts: TPlacementHost[], request: TPlacementRequest): TPlacementResult {
  const rejections: TPlacementResult["rejections"] = [];
  const candidates: TPlacementChoice[] = [];
  for (const host of hosts) {
    const reason = hostReason(host, request);
    if (reason) {
      rejections.push({ host: host.name, reason });
      continue;
    }
    const poolReasons: string[] = [];
    const fitting = host.pools.filter((pool) => {
      const why = poolReason(pool, request);
      if (why) poolReasons.push(`${pool.name} ${why}`);
      return !why;
    });
    if (fitting.length === 0) {
      const detail = poolReasons.length > 0 ? poolReasons.join(", ") : "no storage pools are attached to it";
      rejections.push({ host: host.name, reason: `${NO_POOL_FITS} (${detail})` });
      continue;
    }
    // Local pools first: a root disk next to its VM is the fast default.
    for (const pool of fitting.sort((a, b) => (a.scope === b.scope ? 0 : a.scope === "Local" ? -1 : 1))) {
      candidates.push({ host, pool });
    }
  }
  // Spread: most free memory first; pack: least. Ties go by host name in the same direction, the
  // order of the index the create's query walks (rank-candidates.ts).
  const sign = request.policy === "pack" ? 1 : -1;
  candidates.sort((a, b) => sign * (freeMem(a.host) - freeMem(b.host) || compareNames(a.host.name, b.host.name)));
  return { candidates, rejections };
}

/**
 * Code-point order: PostgreSQL's under the C collations Carve's databases use. (Under another
 * collation only the order of equally free hosts could differ from the create's, and creates pick
 * among those at random anyway.)
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Why a host cannot take a NIC on `network`, or null when it can: it lacks it, or has it Unhealthy. */
export function networkReason(host: Pick<TPlacementHost, "networkIds" | "unhealthyNetworks">, network: { id: string; name: string }): string | null {
  const unhealthy = host.unhealthyNetworks?.find((n) => n.id === network.id);
  if (unhealthy) return `has network ${network.name} Unhealthy${unhealthy.reason ? ` (${unhealthy.reason})` : ""}`;
  return (host.networkIds ?? []).includes(network.id) ? null : `has no network ${network.name}`;
}

function hostReason(host: TPlacementHost, r: TPlacementRequest): string | null {
  if (host.state !== "Up") return `is ${host.state}`;
  const lacking = r.network ? networkReason(host, r.network) : null;
  if (lacking) return lacking;
  const tags = missing(r.hostTags, host.tags);
  if (tags.length > 0) return `lacks host tag${tags.length > 1 ? "s" : ""} ${tags.join(", ")}`;
  if (freeCpus(host) < r.vcpus) return `has ${Math.max(freeCpus(host), 0)} free vCPUs, ${r.vcpus} needed`;
  if (freeMem(host) < r.memoryMiB) return `has ${Math.max(freeMem(host), 0)} MiB free memory, ${r.memoryMiB} MiB needed`;
  return null;
}

const NO_COPY = "has no copy of the template";
const NO_POOL_FITS = "has no pool that fits";

/**
 * Whether a host was turned away only because none of its pools holds the template (placeVm's own
 * wording, read back: "has no pool that fits (p1 has no copy of the template, p2 …)"). A pool full
 * or unhealthy besides is another reason, and so is anything else a host is refused for.
 */
function onlyCopyMissing(reason: string): boolean {
  if (!reason.startsWith(`${NO_POOL_FITS} (`) || !reason.endsWith(")")) return false;
  return reason
    .slice(NO_POOL_FITS.length + 2, -1)
    .split(", ")
    .every((part) => part.endsWith(` ${NO_COPY}`));
}

/** Why a pool cannot take the request's disk, or null when it can (also used per data disk). */
export function poolReason(pool: TPlacementPool, r: Pick<TPlacementRequest, "scope" | "storageTags" | "diskGiB" | "poolThreshold">): string | null {
  if (!pool.hasTemplate) return NO_COPY;
  if (pool.state !== "Up") return pool.stateReason ? `is ${pool.state}: ${pool.stateReason}` : `is ${pool.state}`;
  if (!pool.capacityReported) return "has not reported its capacity yet (is the host's agent running?)";
  if (pool.capacityBytes === 0n) return "reports zero capacity: check the mount/export";
  if (r.scope && pool.scope !== r.scope) return `is ${pool.scope.toLowerCase()} storage, the offering needs ${r.scope.toLowerCase()}`;
  const tags = missing(r.storageTags, pool.tags);
  if (tags.length > 0) return `lacks storage tag${tags.length > 1 ? "s" : ""} ${tags.join(", ")}`;
  const limit = (pool.capacityBytes * BigInt(Math.round(r.poolThreshold * 1000))) / 1000n;
  const needed = BigInt(r.diskGiB) * GIB;
  if (pool.reservedBytes + needed > limit) {
    const free = limit > pool.reservedBytes ? (limit - pool.reservedBytes) / GIB : 0n;
    return `has ${free} GiB free below its ${Math.round(r.poolThreshold * 100)} % threshold, ${r.diskGiB} GiB needed`;
  }
  return null;
}

/** The sentence a user reads when nothing fits: every host and why, and what to do next. */
export function explainNoCapacity(request: Pick<TPlacementRequest, "vcpus" | "memoryMiB">, rejections: TPlacementResult["rejections"]): string {
  const what = `a ${request.vcpus}-vCPU, ${request.memoryMiB} MiB VM`;
  if (rejections.length === 0) return `No host can take ${what}: no hosts are registered. Ask an admin to add one (carve host add).`;
  const reasons = rejections.map((r) => `${r.host} ${r.reason}`).join("; ");
  // Only copies of the template are missing: capacity is not the problem, so neither is the fix.
  if (rejections.every((r) => onlyCopyMissing(r.reason))) {
    return `No host can take ${what}: ${reasons}. The template has no usable copy on those hosts' pools: ask an admin to copy it there ('template copy') or to add it again.`;
  }
  return `No host can take ${what}: ${reasons}. Destroy VMs you no longer need, choose a smaller offering, or ask an admin to add capacity.`;
}
