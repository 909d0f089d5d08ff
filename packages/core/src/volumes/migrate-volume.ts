import { randomUUID } from "node:crypto";
import type { Job, Prisma, Tx, VolumeState } from "@carve/db";
import { diskTarget } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { reservePoolBytes } from "../hosts/capacity.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { cachedPlacementSettings } from "../settings/placement-settings.ts";
import { readStorageSettings } from "../settings/storage-settings.ts";
import { resolveLivePool } from "../pools/resolve-live-pool.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVolumeForActor } from "./find-volume.ts";
import { recordStreamJobs } from "./record-stream-jobs.ts";
import { poolHostsIn } from "./volume-migration-record.ts";
import type { TMigrationRecord } from "../jobs/job-request.ts";

export const ZMigrateVolumeInput = z.strictObject({
  /** The volume's id or name. */
  volume: z.string().min(1, "names the volume to move (its id or name)").max(100),
  /** The target pool's id or name. */
  pool: z.string().min(1, "names the pool to move the volume to").max(100),
});

const POOL_SELECT = {
  id: true,
  name: true,
  libvirtName: true,
  scope: true,
  state: true,
  stateReason: true,
  hostId: true,
  tags: true,
  capacityBytes: true,
  reservedBytes: true,
  capacityReportedAt: true,
  hosts: { select: { host: { select: { id: true, name: true, state: true, sealKey: true } } } },
} as const;
type TPool = Prisma.StoragePoolGetPayload<{ select: typeof POOL_SELECT }>;

/**
 * Moves a detached volume, or a disk (root or data) of a stopped VM, to another storage pool, on
 * the same host or another one (storage migration): the source host's agent streams the file straight to the destination host's agent,
 * authenticated by a one-time token sealed to each agent's key, at most at the
 * `storage.migrationBandwidthMiBps` setting; the destination verifies the sha256 before the source
 * is deleted. Capacity is reserved on the target pool; the volume is Migrating meanwhile and the
 * returned Job (on the source host) shows bytes copied. The volume's owner or an admin may move it.
 *
 * Rule for VMs: a stopped VM's disk moves only to pools the VM's host sees (its local pools, or
 * shared pools): once the copy is verified its domain is pointed at the copy, and the VM is held
 * (cannot start) meanwhile. The VM's home never changes as a side effect: moving a VM to another
 * host is `vm migrate`/host maintenance. A running VM's disks are refused (stop or live-migrate it).
 * @throws CarveError VOLUME_NOT_FOUND, POOL_NOT_FOUND, INVALID_INPUT, INVALID_STATE, NO_CAPACITY, HOST_KEY_UNKNOWN
 */
export async function migrateVolume(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ job: Job; volume: { id: string; name: string } }> {
  requireWriteScope(actor, "migrate volumes");
  const data = parseInput(ZMigrateVolumeInput, input);
  const found = await findVolumeForActor(deps.db, actor, data.volume);
  const [placement, storage] = await Promise.all([cachedPlacementSettings(deps), readStorageSettings(deps.db)]);
  const jobId = randomUUID();
  const jobs = await deps.db.$transaction(async (tx) => {
    const volume = await tx.volume.findUniqueOrThrow({
      where: { id: found.id },
      select: {
        id: true,
        name: true,
        state: true,
        activeJobId: true,
        sizeGiB: true,
        libvirtName: true,
        kind: true,
        deviceIndex: true,
        vm: { select: { id: true, name: true, state: true, activeJobId: true, hostId: true, host: { select: { name: true } } } },
        diskOffering: { select: { name: true, scope: true, storageTags: true } },
        pool: { select: POOL_SELECT },
      },
    });
    const what = `volume ${volume.name}`;
    const vm = volume.vm;
    if (vm && vm.state !== "Stopped") {
      throw new CarveError("INVALID_STATE", `Cannot migrate ${what}: it is a disk of VM ${vm.name}, which is ${vm.state}. Stop the VM or live-migrate it ('carve vm migrate ${vm.name}') instead.`);
    }
    const busyJob = volume.activeJobId ?? vm?.activeJobId;
    if (busyJob) throw new CarveError("INVALID_STATE", `Cannot migrate ${what}: job ${busyJob} is changing it${vm ? ` or VM ${vm.name}` : ""}. Wait for it ('carve job show ${busyJob}') and try again.`);
    const movable: VolumeState = vm ? "Attached" : "Ready";
    if (volume.state !== movable) throw new CarveError("INVALID_STATE", `Cannot migrate ${what}: it is ${volume.state}; only a Ready volume or a stopped VM's disk can move.`);

    const target = await findPool(tx, data.pool);
    if (target.id === volume.pool.id) {
      throw new CarveError("INVALID_INPUT", `Volume ${volume.name} is already in pool ${target.name}. Choose another pool.`, { fields: [{ field: "pool", message: "is the volume's current pool" }] });
    }
    const refusal = poolRefusal(target, volume.sizeGiB, placement.poolThreshold, volume.diskOffering);
    if (refusal) throw refusal;

    if (vm && !poolHostsIn(target).some((h) => h.id === vm.hostId)) {
      // The rule for VMs: a stopped VM's disk moves between the pools its own host sees; the VM's
      // home (its domain) moves with `vm move`/maintenance, never as a side effect of a disk move.
      throw new CarveError(
        "INVALID_STATE",
        `Cannot migrate ${what} of VM ${vm.name} to pool ${target.name}: the VM lives on host ${vm.host?.name ?? "(none)"}, which does not see that pool. Move a stopped VM's disks only to pools its host sees (its local pools or shared ones); to put the VM on another host with its disks, move the VM: 'carve vm migrate ${vm.name} --host ${poolHostsIn(target)[0]?.name ?? "HOST"}' (a stopped VM moves cold, its local disks copied along).`,
        { fields: [{ field: "pool", message: "is not seen by the VM's host" }] },
      );
    }
    const source = pickHost(volume.pool, vm?.hostId ?? null, `read ${what}`);
    const destination = pickHost(target, vm?.hostId ?? source.id, "receive it");
    if (!(await reservePoolBytes(tx, target.id, volume.sizeGiB, placement.poolThreshold))) {
      throw noRoom(target, volume.sizeGiB, placement.poolThreshold);
    }
    const claimed = await tx.volume.updateMany({ where: { id: volume.id, activeJobId: null, state: movable }, data: { state: "Migrating", activeJobId: jobId, stateReason: null } });
    // A stopped VM stays Stopped but is held by the job, so it cannot start on a disk being moved.
    const vmHeld = vm ? (await tx.vm.updateMany({ where: { id: vm.id, activeJobId: null, state: "Stopped" }, data: { activeJobId: jobId } })).count === 1 : true;
    if (claimed.count === 0 || !vmHeld) throw new CarveError("INVALID_STATE", `Cannot migrate ${what}: another request is changing it right now. Try again in a moment.`);
    const jobs = await recordStreamJobs(tx, deps, actor, {
      jobId,
      volume,
      source: { host: source, pool: volume.pool.libvirtName },
      destination: { host: destination, pool: target.libvirtName },
      bandwidthMiBps: storage.migrationBandwidthMiBps,
      send: vm ? { disk: { vmId: vm.id, target: volume.kind === "Root" ? "vda" : diskTarget(volume.deviceIndex ?? 1) } } : {},
      request: ({ receiveJobId }) => {
        const record: TMigrationRecord = {
          volumeId: volume.id,
          volumeName: volume.name,
          previousState: movable === "Attached" ? "Attached" : "Ready",
          sizeGiB: volume.sizeGiB,
          from: { poolId: volume.pool.id, pool: volume.pool.name, hostId: source.id, host: source.name },
          to: { poolId: target.id, pool: target.name, hostId: destination.id, host: destination.name },
          receiveJobId,
          ...(vm ? { vmId: vm.id } : {}),
        };
        return { migration: record };
      },
    });
    await recordEvent(tx, {
      type: "volume.migrating",
      actor,
      hostId: source.id,
      jobId,
      vmId: vm?.id ?? null,
      fromState: movable,
      toState: "Migrating",
      message: `volume ${volume.name} moving from pool ${volume.pool.name} (${source.name}) to pool ${target.name} (${destination.name})`,
    });
    return jobs;
  });
  // The receiver first, so it is usually waiting when the sender connects (the sender retries meanwhile).
  await dispatchJob(deps, jobs.receive);
  await dispatchJob(deps, jobs.send);
  return { job: jobs.send, volume: found };
}

async function findPool(tx: Tx, ref: string): Promise<TPool> {
  const { id } = await resolveLivePool(tx, ref);
  return tx.storagePool.findUniqueOrThrow({ where: { id }, select: POOL_SELECT });
}

/** Why the target pool cannot take the volume at all (state, capacity never reported, offering's scope or tags); null when it can. */
function poolRefusal(
  pool: TPool,
  sizeGiB: number,
  threshold: number,
  offering: { name: string; scope: string; storageTags: string[] } | null,
): CarveError | null {
  const field = { fields: [{ field: "pool", message: "cannot take this volume" }] };
  if (pool.state !== "Up") {
    return new CarveError("INVALID_STATE", `Pool ${pool.name} is ${pool.state}${pool.stateReason ? ` (${pool.stateReason})` : ""}: it takes no volumes now. Choose another pool, or fix it first.`, field);
  }
  if (!pool.capacityReportedAt || pool.capacityBytes === 0n) {
    return new CarveError("INVALID_STATE", `Pool ${pool.name} has not reported any capacity yet, so nothing can be placed on it: check that its hosts' agents run and that libvirt can read the pool.`, field);
  }
  if (offering && offering.scope !== pool.scope) {
    return new CarveError("INVALID_STATE", `Volume's disk offering ${offering.name} asks for ${offering.scope} storage, and pool ${pool.name} is ${pool.scope}. Choose a ${offering.scope} pool.`, field);
  }
  const missing = offering?.storageTags.filter((tag) => !pool.tags.includes(tag)) ?? [];
  if (missing.length > 0) {
    return new CarveError("INVALID_STATE", `Pool ${pool.name} lacks the storage tag(s) ${missing.join(", ")} that disk offering ${offering?.name ?? ""} asks for. Choose a pool with them.`, field);
  }
  if (gib(pool.reservedBytes) + sizeGiB > gib(pool.capacityBytes) * threshold) return noRoom(pool, sizeGiB, threshold);
  return null;
}

function noRoom(pool: Pick<TPool, "name" | "capacityBytes" | "reservedBytes">, sizeGiB: number, threshold: number): CarveError {
  const room = Math.max(0, Math.floor(gib(pool.capacityBytes) * threshold - gib(pool.reservedBytes)));
  return new CarveError(
    "NO_CAPACITY",
    `Pool ${pool.name} has no room for this ${sizeGiB} GiB volume: ${room} GiB of its ${Math.floor(gib(pool.capacityBytes))} GiB can still be promised (up to ${Math.round(threshold * 100)}% of it). Choose another pool, or free space in it.`,
    { fields: [{ field: "pool", message: "is full" }] },
  );
}

const gib = (bytes: bigint): number => Number(bytes) / 1024 ** 3;

/** The Up host of a pool that does the work: `prefer` when it sees the pool, else the first Up one. */
function pickHost(pool: TPool, prefer: string | null, task: string) {
  const hosts = poolHostsIn(pool);
  const host = hosts.find((h) => h.id === prefer && h.state === "Up") ?? hosts.find((h) => h.state === "Up");
  if (!host) {
    const states = hosts.map((h) => `${h.name} is ${h.state}`).join(", ") || "no host sees it";
    throw new CarveError("INVALID_STATE", `No host of pool ${pool.name} is Up to ${task} (${states}): a volume is copied by the agents of the hosts that see its pools. Bring the host (or its agent) back, then try again.`);
  }
  return host;
}
