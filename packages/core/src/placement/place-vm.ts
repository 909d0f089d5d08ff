/** One host as placement sees it: a snapshot, no database access. */
export interface TPlacementHost {
  id: string;
  name: string;
  state: string;
  cpus: number;
  memoryMiB: number;
  cpuOvercommit: number;
  memOvercommit: number;
  vcpusAllocated: number;
  memMiBAllocated: number;
  /** Pools this host sees that hold a ready copy of the requested template. */
  templatePoolIds: string[];
}

export interface TPlacementRequest {
  vcpus: number;
  memoryMiB: number;
}

export interface TPlacementResult {
  /** Hosts that fit, best first (spread: most free memory first). */
  candidates: TPlacementHost[];
  /** Every host that does not fit, with its reason. */
  rejections: { host: string; reason: string }[];
}

/** Filters and ranks hosts for a VM, explaining every host it rejects. Pure: no I/O. */
export function placeVm(hosts: TPlacementHost[], request: TPlacementRequest): TPlacementResult {
  const rejections: TPlacementResult["rejections"] = [];
  const candidates: TPlacementHost[] = [];
  for (const host of hosts) {
    const reason = rejectionReason(host, request);
    if (reason) rejections.push({ host: host.name, reason });
    else candidates.push(host);
  }
  candidates.sort((a, b) => freeMem(b) - freeMem(a) || a.name.localeCompare(b.name));
  return { candidates, rejections };
}

const freeCpus = (h: TPlacementHost) => Math.floor(h.cpus * h.cpuOvercommit) - h.vcpusAllocated;
const freeMem = (h: TPlacementHost) => Math.floor(h.memoryMiB * h.memOvercommit) - h.memMiBAllocated;

function rejectionReason(host: TPlacementHost, request: TPlacementRequest): string | null {
  if (host.state !== "Up") return `is ${host.state}`;
  if (host.templatePoolIds.length === 0) return "has no storage pool holding the template";
  if (freeCpus(host) < request.vcpus) return `has ${Math.max(freeCpus(host), 0)} free vCPUs, ${request.vcpus} needed`;
  if (freeMem(host) < request.memoryMiB) {
    return `has ${Math.max(freeMem(host), 0)} MiB free memory, ${request.memoryMiB} MiB needed`;
  }
  return null;
}

/** The sentence a user reads when nothing fits: every host and why, and what to do next. */
export function explainNoCapacity(request: TPlacementRequest, rejections: TPlacementResult["rejections"]): string {
  const what = `a ${request.vcpus}-vCPU, ${request.memoryMiB} MiB VM`;
  if (rejections.length === 0) return `No host can take ${what}: no hosts are registered. Ask an admin to add one (carve host add).`;
  const reasons = rejections.map((r) => `${r.host} ${r.reason}`).join("; ");
  return `No host can take ${what}: ${reasons}. Destroy VMs you no longer need, choose a smaller offering, or ask an admin to add capacity.`;
}
