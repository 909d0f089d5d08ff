import type { Db, Prisma, Tx, VmState } from "@carve/db";
import type { TPlacementHost, TPlacementRequest } from "../../placement/place-vm.ts";
import { networkReason, placeVm } from "../../placement/place-vm.ts";
import type { TNicSpec, TVmFilter } from "@carve/protocol";
import { nicSpec } from "../../networks/ipam/address-book.ts";
import { loadVmFilters } from "../../security-groups/load-vm-filters.ts";
import type { TPlacementSettings } from "../../settings/placement-settings.ts";

/** A VM about to leave its host, with what placement needs to find it another one. */
export interface TMovingVm {
  id: string;
  name: string;
  state: VmState;
  activeJobId: string | null;
  hostId: string | null;
  templateId: string;
  title: string;
  vcpus: number;
  memoryMiB: number;
  offering: { hostTags: string[]; storageTags: string[] };
  /** The networks its NICs are on: a target must have each (absent: none). */
  networks?: { id: string; name: string }[];
  /** Its NICs as the agent renders them, in device order (a cold move defines them on the target). */
  nics?: TNicSpec[];
  /** Its network filter (security groups), which its NICs refer to: the target defines it first. */
  filter?: TVmFilter;
  volumes: {
    id: string;
    kind: "Root" | "Data";
    libvirtName: string;
    sizeGiB: number;
    deviceIndex: number | null;
    pool: { id: string; name: string; libvirtName: string; scope: "Local" | "Shared" };
  }[];
}

const MOVING_VM_SELECT = {
  id: true,
  name: true,
  state: true,
  activeJobId: true,
  hostId: true,
  templateId: true,
  vcpus: true,
  memoryMiB: true,
  offering: { select: { hostTags: true, storageTags: true } },
  volumes: {
    where: { state: { notIn: ["Deleted", "Deleting"] } },
    select: { id: true, kind: true, libvirtName: true, sizeGiB: true, deviceIndex: true, pool: { select: { id: true, name: true, libvirtName: true, scope: true } } },
  },
} satisfies Prisma.VmSelect;

/** The VMs (by id), with their volumes and offering, as a move needs them. */
export async function loadMovingVms(tx: Db | Tx, where: { id?: string; hostId?: string }): Promise<TMovingVm[]> {
  const rows = await tx.vm.findMany({
    where: { ...where, state: { notIn: ["Destroyed", "Destroying"] } },
    select: MOVING_VM_SELECT,
    orderBy: { name: "asc" },
  });
  // The NICs in a query of their own: Prisma reads two to-many relations of one query at the same
  // time, which a transaction's single connection only queues (pg warns, on stderr, that it will refuse).
  const nics =
    rows.length === 0
      ? []
      : await tx.nic.findMany({
          where: { vmId: { in: rows.map((vm) => vm.id) } },
          select: { vmId: true, mac: true, ip: true, network: { select: { id: true, name: true, kind: true, cidr: true, gateway: true, dnsDomain: true, libvirtName: true, bridge: true } } },
          orderBy: { deviceIndex: "asc" },
        });
  const filters = new Map((await loadVmFilters(tx, rows.map((vm) => vm.id))).map((f) => [f.vmId, f.filter]));
  // The domain's title is the VM's name, as at creation.
  return rows.map((vm) => {
    const own = nics.filter((n) => n.vmId === vm.id);
    const filter = filters.get(vm.id);
    return {
      ...vm,
      title: vm.name,
      networks: own.map((n) => ({ id: n.network.id, name: n.network.name })),
      nics: own.map((n) => ({ ...nicSpec(n.network, n, vm.name), ...(filter ? { filter: filter.name } : {}) })),
      ...(filter ? { filter } : {}),
    };
  });
}

/** Where a VM would go, and what travels with it. */
export interface TMoveChoice {
  host: { id: string; name: string };
  /** The pool reserved on the target: its local pool receiving the local disks, or a shared pool the VM uses (0 bytes). */
  pool: { id: string; name: string };
  /** Volumes on the source's local storage: copied to `pool`. */
  localVolumes: TMovingVm["volumes"];
  localGiB: number;
}

export interface TMoveTargets {
  /** Host/pool pairs that fit, best first. */
  candidates: TMoveChoice[];
  rejections: { host: string; reason: string }[];
}

/**
 * Placement for a VM that already exists: `placeVm` (the same host filters, ranking and
 * explanations as a create) over a snapshot trimmed to what a move needs. A target must see every
 * shared pool the VM's disks are on; disks on the source's local pools need a local pool on the
 * target with room for all of them (they are copied there); a VM on shared storage only needs
 * the shared pools to be healthy. No template copy is needed (the disks travel, not the template),
 * except for a cold move of a local root disk (`requireTemplate`): its overlay is rebased onto it.
 * A live migration also needs a target whose agent accepts migrations (its migration URI).
 */
export function findMoveTargets(
  vm: TMovingVm,
  hosts: TPlacementHost[],
  settings: TPlacementSettings,
  options: { live: boolean; migrationUris: ReadonlyMap<string, string | null>; onlyHostId?: string | undefined; requireTemplate?: boolean | undefined },
): TMoveTargets {
  const localVolumes = vm.volumes.filter((v) => v.pool.scope === "Local");
  const sharedPoolIds = new Set(vm.volumes.filter((v) => v.pool.scope === "Shared").map((v) => v.pool.id));
  const localGiB = localVolumes.reduce((sum, v) => sum + v.sizeGiB, 0);
  const rootIsLocal = localVolumes.some((v) => v.kind === "Root");
  const rejections: TMoveTargets["rejections"] = [];
  const eligible: TPlacementHost[] = [];
  for (const host of hosts) {
    if (options.onlyHostId !== undefined && host.id !== options.onlyHostId) continue;
    if (host.id === vm.hostId) {
      rejections.push({ host: host.name, reason: "is where the VM is now" });
      continue;
    }
    // Its NICs keep their network (and address) wherever it goes.
    const lacking = (vm.networks ?? []).map((n) => networkReason(host, n)).filter((reason) => reason !== null);
    if (lacking.length > 0) {
      rejections.push({ host: host.name, reason: lacking.join("; ") });
      continue;
    }
    const missing = [...sharedPoolIds].filter((id) => !host.pools.some((p) => p.id === id));
    if (missing.length > 0) {
      const names = vm.volumes.filter((v) => missing.includes(v.pool.id)).map((v) => v.pool.name);
      rejections.push({ host: host.name, reason: `does not see shared pool ${[...new Set(names)].join(", ")} where the VM's disks are` });
      continue;
    }
    if (options.live && !options.migrationUris.get(host.id)) {
      rejections.push({ host: host.name, reason: "cannot receive live migrations (its agent has no CARVE_MIGRATION_URI)" });
      continue;
    }
    // The pools that matter: a local pool to copy local disks into, else the VM's own shared pools.
    const pools = host.pools
      .filter((p) => (localVolumes.length > 0 ? p.scope === "Local" : sharedPoolIds.has(p.id)))
      // A cold move rebases a local root overlay onto the target pool's template copy, so it needs one
      // (`requireTemplate`, with a snapshot of the VM's template); a live move flattens the disks.
      .map((p) => ({ ...p, hasTemplate: options.requireTemplate === true && rootIsLocal ? p.hasTemplate : true }));
    eligible.push({ ...host, pools });
  }
  const request: TPlacementRequest = {
    vcpus: vm.vcpus,
    memoryMiB: vm.memoryMiB,
    diskGiB: localGiB,
    hostTags: vm.offering.hostTags,
    storageTags: rootIsLocal ? vm.offering.storageTags : [],
    scope: localVolumes.length > 0 ? "Local" : null,
    policy: settings.policy,
    poolThreshold: settings.poolThreshold,
  };
  const placed = placeVm(eligible, request);
  const candidates = placed.candidates.map(({ host, pool }) => ({
    host: { id: host.id, name: host.name },
    pool: { id: pool.id, name: pool.name },
    localVolumes,
    localGiB,
  }));
  return { candidates, rejections: [...rejections, ...placed.rejections] };
}

/** Takes a chosen VM's demands off the snapshot, so the next VM of a plan sees the host fuller. */
export function chargeSnapshot(hosts: TPlacementHost[], vm: TMovingVm, choice: TMoveChoice): void {
  const host = hosts.find((h) => h.id === choice.host.id);
  if (!host) return;
  host.vcpusAllocated += vm.vcpus;
  host.memMiBAllocated += vm.memoryMiB;
  const pool = host.pools.find((p) => p.id === choice.pool.id);
  if (pool) pool.reservedBytes += BigInt(choice.localGiB) * 1024n ** 3n;
}

/** "a 2-vCPU, 4096 MiB VM" reasons, as one sentence naming every host. */
export function explainNoTarget(vm: Pick<TMovingVm, "name">, rejections: TMoveTargets["rejections"]): string {
  if (rejections.length === 0) return `No other host can take ${vm.name}: there is no other host. Add one (carve host add).`;
  return `No other host can take ${vm.name}: ${rejections.map((r) => `${r.host} ${r.reason}`).join("; ")}.`;
}
