import { randomUUID } from "node:crypto";
import type { Job, ServiceOffering as Offering, Template, Tx, Vm } from "@carve/db";
import { dataVolumeName, rootVolumeName, vmFilterName, type TCloudInit } from "@carve/protocol";
import { CarveError, isCarveError } from "../errors/index.ts";
import type { TUserActor } from "../identity/actor.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { loadPlacementHosts } from "../placement/host-snapshot.ts";
import { explainNoCapacity, placeVm, type TPlacementRequest } from "../placement/place-vm.ts";
import { placementRequest } from "../placement/placement-request.ts";
import { claimBestFit, reserveBestFit } from "../placement/reserve-best-fit.ts";
import { explainWithDataDisks } from "../placement/explain-data-disks.ts";
import type { TRankedCandidate } from "../placement/rank-candidates.ts";
import type { TRankedPool } from "../placement/rank-data-pools.ts";
import { reserveBestFitWithDataDisks, withDataDisks } from "../placement/reserve-data-disks.ts";
import type { RankingMemo } from "../placement/ranking-memo.ts";
import { awaitStagedCopy, reserveForStagedCopy } from "./stage-create-copy.ts";
import { AddressBook, type TAllocatedNic } from "../networks/ipam/address-book.ts";
import { insertNics, type TNicWrite } from "../networks/ipam/insert-nics.ts";
import { assertWithinQuota } from "../quotas/assert-within-quota.ts";
import type { TPlacementSettings } from "../settings/placement-settings.ts";
import { cloudInitPayload, planGuestAccess, recordFirstPassword, type TGuestAccessPlan } from "./guest-access.ts";
import { insertCreateRecords, type TCreateRecords, type TCreateWrite } from "./insert-create-records.ts";
import { planDataDisks, type TPlannedDataDisk } from "./plan-data-disks.ts";
import { recordRequestKey, type TRequestKeyRecord } from "./request-keys.ts";
import type { TCreateVmParsed } from "./create-vm.ts";
// security groups (issue 17)
import { DefaultGroupFilters, joinDefaultGroups, newVmFilter, type TDefaultGroupFilter, type TDefaultGroupJoin } from "../security-groups/default-group-filters.ts";

/** What createVm answers: the Creating VM, the job to watch, and where to see a first password once. */
export type TCreated = {
  vm: Vm;
  job: Job;
  passwordReveal: { revealId: string; expiresAt: Date } | null;
  /** The template.copy job this create started and waits for (issue 19), to send after the commit. */
  copyJob?: Job;
};

/** A create checked and planned outside the transaction: everything but the host. */
export interface TCreatePlan {
  owner: TUserActor;
  data: TCreateVmParsed;
  template: Template;
  offering: Offering;
  sizeGiB: number;
  request: TPlacementRequest;
  guest: TGuestAccessPlan | null;
  dataDisks: TPlannedDataDisk[];
  /** The network its NIC goes on (the offering's, else the default one); null: no NIC from Carve. */
  network: { id: string; name: string } | null;
  /** Recorded with the VM, in its transaction (createVmOnce). */
  requestKey?: TRequestKeyRecord;
  /** The address its NIC must get (a Lost VM re-created: recreateVm). */
  address?: string;
}

/** Plans a create (reads only): the template and offering (looked up by the batch, once each), guest access and data disks. */
export async function planCreate(
  deps: TIdentityDeps,
  owner: TUserActor,
  data: TCreateVmParsed,
  refs: { template: Template; offering: Offering; settings: TPlacementSettings; network: { id: string; name: string } | null },
): Promise<TCreatePlan> {
  const { template, offering, settings, network } = refs;
  const sizeGiB = Math.max(offering.rootDiskGiB, template.minDiskGiB);
  const guest = await planGuestAccess(deps, owner.userId, template, data);
  // Only VMs with data disks pay for them: the common create makes no extra query.
  const dataDisks = data.dataDisks.length > 0 ? await planDataDisks(deps.db, data.dataDisks, settings.poolThreshold) : [];
  return { owner, data, template, offering, sizeGiB, request: placementRequest(offering, sizeGiB, settings, network), guest, dataDisks, network };
}

/** What the creates recorded in one transaction share: owners found without quotas, rankings, address management. */
export interface TBatchContext {
  unlimitedOwners: Set<string>;
  rankings: RankingMemo;
  addresses: AddressBook;
  /** Owners' default security groups (issue 17): every new VM joins its owner's. */
  securityGroups: DefaultGroupFilters;
}

/**
 * Records one planned create in the caller's transaction: checks quotas, places the VM on a host
 * (reserving capacity atomically), and writes VM, volumes and Job. Throws QUOTA_EXCEEDED or
 * NO_CAPACITY (with every host's reason) when it cannot. A plan without data disks or guest access
 * (see writesBeforeRefusal) is refused only before anything is written, so a batch needs no
 * savepoint for it; otherwise the caller rolls its part back.
 */
export async function recordCreate(tx: Tx, deps: TIdentityDeps, plan: TCreatePlan, batch?: TBatchContext): Promise<TCreated> {
  const { owner, data, offering, sizeGiB, guest, dataDisks } = plan;
  const ids = newCreateIds();
  const dataGiB = dataDisks.reduce((sum, d) => sum + d.request.sizeGiB, 0);
  await assertWithinQuota(tx, owner.userId, { vms: 1, vcpus: offering.vcpus, memoryMiB: offering.memoryMiB, storageGiB: sizeGiB + dataGiB }, batch?.unlimitedOwners);
  // The address first: a full network refuses before anything is reserved or written.
  const addresses = batch?.addresses ?? new AddressBook(tx);
  const nic = plan.network ? await addresses.allocate(plan.network.id, data.name, 0, plan.address) : null;
  try {
    const security = await (batch?.securityGroups ?? new DefaultGroupFilters(tx)).forOwner(owner.userId);
    const records = await placeAndWrite(tx, deps, plan, ids, nic, security, batch);
    if (nic) await insertNics(tx, [{ vmId: ids.vmId, job: records.job, nic }]);
    await joinDefaultGroups(tx, [{ vmId: ids.vmId, group: security, now: records.job.createdAt }]);
    if (plan.requestKey) await recordRequestKey(tx, plan.requestKey, { vmId: ids.vmId, jobId: ids.jobId });
    return { ...records, passwordReveal: await recordFirstPassword(tx, deps, guest, { vmId: ids.vmId, userId: owner.userId, jobId: ids.jobId }) };
  } catch (error) {
    if (nic) addresses.release(nic);
    throw error;
  }
}

/** recordCreate's placement and writes: the VM on the best host that still has room, with its volumes and Job. */
async function placeAndWrite(
  tx: Tx,
  deps: TIdentityDeps,
  plan: TCreatePlan,
  ids: TCreateIds,
  nic: TAllocatedNic | null,
  security: TDefaultGroupFilter,
  batch: TBatchContext | undefined,
): Promise<{ vm: Vm; job: Job; copyJob?: Job }> {
  const { owner, data, template, request, guest, dataDisks } = plan;
  const now = deps.now();
  let records: { vm: Vm; job: Job } | null = null;
  if (dataDisks.length === 0) {
    // The common create: each candidate is tried by checking the name, reserving on it and writing
    // the records in ONE statement; one that no longer fits is left as it was (its host's share
    // given back at once), and a name already taken is refused before anything is reserved.
    const reserveOn = async (candidate: TRankedCandidate) => {
      const cloudInit = guest ? await cloudInitPayload(tx, guest, candidate.hostId) : null;
      const [written] = await insertCreateRecords(tx, [{ records: createRecords(plan, ids, candidate, [], cloudInit, nic, security), now, reserve: request }]);
      if (written === undefined) throw new Error("insertCreateRecords answered nothing");
      if (written === "nameTaken") throw nameTaken(data.name);
      records = written === "noRoom" ? null : written;
      return records !== null;
    };
    const placed = await reserveBestFit(tx, template.id, request, batch?.rankings, reserveOn);
    if (!placed) {
      // Only pools without a Ready copy could take it (issue 19): the copy is made first, and the create waits for it.
      const staging = await reserveForStagedCopy(tx, template, request, reserveOn);
      if (!staging || !records) throw await noCapacity(tx, template, request, dataDisks);
      batch?.rankings.reserved(staging.hostId, request.memoryMiB);
      const { vm, job } = records as { vm: Vm; job: Job };
      const waiting = await awaitStagedCopy(tx, deps, owner, template, staging, job);
      return { vm, job: waiting.job, ...(waiting.copyJob ? { copyJob: waiting.copyJob } : {}) };
    }
  } else {
    const disks = dataDisks.map((d) => d.request);
    let staging: TRankedCandidate | null = null;
    let found = await reserveBestFitWithDataDisks(tx, template.id, request, disks);
    if (!found) {
      // As without data disks (issue 19): a pool without a Ready copy will do, the copy made first.
      const reserve = withDataDisks(tx, request, disks);
      staging = await reserveForStagedCopy(tx, template, request, reserve.on);
      const dataPools = reserve.dataPools();
      if (staging && dataPools) found = { candidate: staging, dataPools };
    }
    if (!found) throw await noCapacity(tx, template, request, dataDisks);
    batch?.rankings.reserved(found.candidate.hostId, request.memoryMiB);
    const dataVolumes = dataDisks.map((disk, i) => {
      const id = randomUUID();
      const pool = found.dataPools[i];
      // reserveBestFitWithDataDisks returns a pool for every disk whenever it placed the VM.
      if (!pool) throw new Error("data disk without a pool");
      return { id, name: `${data.name}-data-${i + 1}`, pool, libvirtName: dataVolumeName(id), sizeGiB: disk.request.sizeGiB, deviceIndex: i + 1, offeringId: disk.offering.id };
    });
    const cloudInit = guest ? await cloudInitPayload(tx, guest, found.candidate.hostId) : null;
    const [written] = await insertCreateRecords(tx, [{ records: createRecords(plan, ids, found.candidate, dataVolumes, cloudInit, nic, security), now, reserve: null }]);
    // Host and pools are reserved already: only the name can keep it from being written.
    if (written === "nameTaken") throw nameTaken(data.name);
    if (written === undefined || written === "noRoom") throw new Error("create records not written");
    records = written;
    await tx.volume.createMany({
      data: dataVolumes.map((v) => ({
        id: v.id, name: v.name, kind: "Data" as const, vmId: ids.vmId, ownerId: owner.userId, poolId: v.pool.poolId, diskOfferingId: v.offeringId,
        libvirtName: v.libvirtName, sizeGiB: v.sizeGiB, deviceIndex: v.deviceIndex, state: "Allocating" as const,
      })), // prettier-ignore
    });
    if (staging) {
      const waiting = await awaitStagedCopy(tx, deps, owner, template, staging, records.job);
      return { vm: records.vm, job: waiting.job, ...(waiting.copyJob ? { copyJob: waiting.copyJob } : {}) };
    }
  }
  if (!records) throw new Error("a placed create wrote no records");
  return records;
}

/**
 * Records plain creates (no data disks, no guest access: see writesBeforeRefusal) of owners without
 * quotas together: each is given the candidate its ranking puts first once those before it are
 * counted (claimBestFit, in memory), then ONE statement reserves and writes them all
 * (insertCreateRecords). Answers each with its records or its refusal (the name taken), or null:
 * the caller records that one on its own (recordCreate, which tries the next candidates or explains
 * why nothing fits), in order. Requests keep their order: claiming stops at the first create nothing
 * is ranked for (it and those after it are answered null), and when a host or pool had no room for
 * its share (the claims count memory only, and other processes race), the whole statement is undone
 * and every create answered null, so no later request keeps a place an earlier one would have found.
 */
export async function recordTogether(tx: Tx, creates: { deps: TIdentityDeps; plan: TCreatePlan }[], batch: TBatchContext): Promise<(TCreated | CarveError | null)[]> {
  const answers: (TCreated | CarveError | null)[] = creates.map(() => null);
  const writes: TCreateWrite[] = [];
  const slots: { index: number; vmId: string; nic: TAllocatedNic | null; security: TDefaultGroupFilter }[] = [];
  for (const [index, { deps, plan }] of creates.entries()) {
    // Its address first (NETWORK_FULL answers only this create: it claims no host).
    let nic: TAllocatedNic | null = null;
    if (plan.network) {
      try {
        nic = await batch.addresses.allocate(plan.network.id, plan.data.name);
      } catch (error) {
        if (!isCarveError(error)) throw error;
        answers[index] = error;
        continue;
      }
    }
    const candidate = await claimBestFit(tx, plan.template.id, plan.request, batch.rankings);
    if (!candidate) {
      if (nic) batch.addresses.release(nic);
      break;
    }
    const ids = newCreateIds();
    const security = await batch.securityGroups.forOwner(plan.owner.userId);
    writes.push({ records: createRecords(plan, ids, candidate, [], null, nic, security), now: deps.now(), reserve: plan.request });
    slots.push({ index, vmId: ids.vmId, nic, security });
  }
  if (writes.length === 0) return answers;
  await tx.$executeRaw`SAVEPOINT create_together`;
  const written = await insertCreateRecords(tx, writes);
  if (written.includes("noRoom")) {
    await tx.$executeRaw`ROLLBACK TO SAVEPOINT create_together`;
    batch.rankings.clear(); // its claims were undone with the statement
    batch.addresses.clear(); // and so were the addresses it counted: every create is tried again on its own
    return creates.map(() => null);
  }
  const nics: TNicWrite[] = [];
  const memberships: TDefaultGroupJoin[] = [];
  for (const [k, { index, vmId, nic, security }] of slots.entries()) {
    const result = written[k];
    const { plan } = creates[index] ?? {};
    if (result === undefined || result === "noRoom" || !plan) continue;
    if (result === "nameTaken") {
      if (nic) batch.addresses.release(nic);
      answers[index] = nameTaken(plan.data.name);
      continue;
    }
    if (nic) nics.push({ vmId, job: result.job, nic });
    memberships.push({ vmId, group: security, now: result.job.createdAt });
    answers[index] = { ...result, passwordReveal: null };
  }
  await insertNics(tx, nics);
  await joinDefaultGroups(tx, memberships);
  return answers;
}

type TCreateIds = { vmId: string; volumeId: string; jobId: string };

/** The ids a create's VM, root volume and Job get. */
function newCreateIds(): TCreateIds {
  return { vmId: randomUUID(), volumeId: randomUUID(), jobId: randomUUID() };
}

type TDataVolume = { id: string; pool: TRankedPool; libvirtName: string; sizeGiB: number; deviceIndex: number };

/** The create's rows and the agent's payload for a VM on `placed`. */
function createRecords(
  plan: TCreatePlan,
  ids: { vmId: string; volumeId: string; jobId: string },
  placed: TRankedCandidate,
  dataVolumes: TDataVolume[],
  cloudInit: TCloudInit | null,
  nic: TAllocatedNic | null,
  security: TDefaultGroupFilter,
): TCreateRecords {
  const { owner, data, template, offering, sizeGiB } = plan;
  const libvirtName = rootVolumeName(ids.volumeId);
  const payload = {
    vmId: ids.vmId,
    title: data.name,
    vcpus: offering.vcpus,
    memoryMiB: offering.memoryMiB,
    rootVolume: { volumeId: ids.volumeId, pool: placed.poolLibvirtName, name: libvirtName, sizeGiB },
    template: { pool: placed.poolLibvirtName, name: placed.templateVolume, format: template.format === "raw" ? "raw" : "qcow2" },
    start: true,
    ...(cloudInit ? { cloudInit } : {}),
    ...(dataVolumes.length > 0
      ? { dataVolumes: dataVolumes.map((v) => ({ volumeId: v.id, pool: v.pool.poolLibvirtName, name: v.libvirtName, sizeGiB: v.sizeGiB, deviceIndex: v.deviceIndex })) }
      : {}),
    // The NIC is filtered by the owner's default group (security groups, issue 17).
    ...(nic ? { nics: [{ ...nic.spec, filter: vmFilterName(ids.vmId) }], filter: newVmFilter(ids.vmId, nic.ip, security) } : {}),
  };
  return {
    vm: {
      id: ids.vmId,
      name: data.name,
      description: data.description ?? null,
      ownerId: owner.userId,
      hostId: placed.hostId,
      templateId: template.id,
      offeringId: offering.id,
      vcpus: offering.vcpus,
      memoryMiB: offering.memoryMiB,
      ipAddress: nic?.ip ?? null,
      jobId: ids.jobId,
    },
    volume: { id: ids.volumeId, name: `${data.name}-root`, poolId: placed.poolId, libvirtName, sizeGiB },
    job: { request: { payload, previousState: null } },
    event: { message: `${data.name} is being created from ${template.name} (${offering.name})` },
  };
}

/**
 * Whether recording this plan may write before it is refused (data disks are reserved one by one;
 * guest access and the request key are written after the VM): such a create needs a savepoint in a batch.
 */
export function writesBeforeRefusal(plan: TCreatePlan): boolean {
  return plan.dataDisks.length > 0 || plan.guest !== null || plan.requestKey !== undefined;
}

/** The refusal of a second live VM of one name for one owner. */
export function nameTaken(name: string): CarveError {
  return new CarveError("VM_NAME_TAKEN", `You already have a VM named '${name}'. Choose another name or destroy that VM first.`, {
    fields: [{ field: "name", message: "is already used by one of your VMs: choose another" }],
  });
}

/** NO_CAPACITY with every host's reason (per data disk too): only now is the whole capacity snapshot loaded. */
async function noCapacity(tx: Tx, template: Template, request: TPlacementRequest, disks: TPlannedDataDisk[]): Promise<CarveError> {
  const loaded = await loadPlacementHosts(tx, template.id);
  // A root disk with data disks waits for no copy; otherwise a missing copy is made on demand (issue 19) and is no reason.
  const staged = disks.length === 0 && template.storedPath !== null && template.sha256 !== null;
  const hosts = staged ? loaded.map((h) => ({ ...h, pools: h.pools.map((p) => ({ ...p, hasTemplate: true })) })) : loaded;
  const { candidates, rejections } = disks.length === 0 ? placeVm(hosts, request) : explainWithDataDisks(hosts, request, disks.map((d) => d.request));
  const raced = [...new Set(candidates.map((c) => c.host.name))].map((host) => ({ host, reason: "was filled up by concurrent requests" }));
  return new CarveError("NO_CAPACITY", explainNoCapacity(request, [...rejections, ...raced]), { details: { rejections } });
}
