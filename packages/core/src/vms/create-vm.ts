import { randomUUID } from "node:crypto";
import type { Job, Tx, Vm } from "@carve/db";
import { rootVolumeName } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { releaseHostCapacity, reserveHostCapacity, reservePoolBytes } from "../hosts/capacity.ts";
import { requireUser, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { resolveOffering } from "../offerings/resolve-offering.ts";
import { loadPlacementHosts } from "../placement/host-snapshot.ts";
import { explainNoCapacity, placeVm, type TPlacementChoice, type TPlacementRequest } from "../placement/place-vm.ts";
import { placementRequest } from "../placement/placement-request.ts";
import { assertWithinQuota } from "../quotas/assert-within-quota.ts";
import { readPlacementSettings } from "../settings/placement-settings.ts";
import { resolveTemplate } from "../templates/resolve-template.ts";
import { ZDescription, ZResourceName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";

export const ZCreateVmInput = z.object({
  name: ZResourceName,
  description: ZDescription.optional(),
  /** Template name or id. */
  template: z.string({ error: "is required: choose a template ('template list')" }).min(1, "is required: choose a template ('template list')").max(100),
  /** Service offering name or id. */
  offering: z.string({ error: "is required: choose an offering ('offering list')" }).min(1, "is required: choose an offering ('offering list')").max(100),
});
export type TCreateVmInput = z.input<typeof ZCreateVmInput>;

/**
 * Creates a VM from a template and a service offering for the acting user: validates, places it on
 * a host (reserving capacity atomically), records VM, root volume and Job in one transaction, then
 * sends the job to the host's agent. Returns at once with the Creating VM and the job to watch.
 */
export async function createVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ vm: Vm; job: Job }> {
  const owner = requireUser(actor);
  const data = parseInput(ZCreateVmInput, input);
  const template = await resolveTemplate(deps.db, data.template);
  const offering = await resolveOffering(deps.db, data.offering);
  const vmId = randomUUID();
  const volumeId = randomUUID();
  const jobId = randomUUID();
  const sizeGiB = Math.max(offering.rootDiskGiB, template.minDiskGiB);

  const created = await deps.db.$transaction(async (tx) => {
    await assertNameFree(tx, owner.userId, data.name);
    await assertWithinQuota(tx, owner.userId, { vms: 1, vcpus: offering.vcpus, memoryMiB: offering.memoryMiB, storageGiB: sizeGiB });
    const request = placementRequest(offering, sizeGiB, await readPlacementSettings(tx));
    const { candidates, rejections } = placeVm(await loadPlacementHosts(tx, template.id), request);
    const placed = await reserveFirstFit(tx, candidates, request);
    if (!placed) {
      const raced = candidates.map((c) => ({ host: c.host.name, reason: "was filled up by concurrent requests" }));
      throw new CarveError("NO_CAPACITY", explainNoCapacity(request, [...rejections, ...uniqueHosts(raced)]), { details: { rejections } });
    }
    const pool = await tx.storagePool.findUniqueOrThrow({ where: { id: placed.poolId }, select: { id: true, libvirtName: true } });
    const copy = await tx.templateCopy.findUniqueOrThrow({ where: { templateId_poolId: { templateId: template.id, poolId: pool.id } } });
    const vm = await tx.vm.create({
      data: {
        id: vmId,
        name: data.name,
        liveName: data.name,
        description: data.description ?? null,
        ownerId: owner.userId,
        hostId: placed.hostId,
        templateId: template.id,
        offeringId: offering.id,
        vcpus: offering.vcpus,
        memoryMiB: offering.memoryMiB,
        state: "Creating",
        activeJobId: jobId,
      },
    });
    const libvirtName = rootVolumeName(volumeId);
    await tx.volume.create({
      data: { id: volumeId, name: `${data.name}-root`, kind: "Root", vmId, ownerId: owner.userId, poolId: pool.id, libvirtName, sizeGiB },
    });
    const payload = {
      vmId,
      title: data.name,
      vcpus: offering.vcpus,
      memoryMiB: offering.memoryMiB,
      rootVolume: { volumeId, pool: pool.libvirtName, name: libvirtName, sizeGiB },
      template: { pool: pool.libvirtName, name: copy.volumeName, format: template.format === "raw" ? "raw" : "qcow2" },
      start: true,
    };
    const job = await tx.job.create({
      data: { id: jobId, kind: "vm.create", actorId: owner.userId, vmId, hostId: placed.hostId, request: { payload, previousState: null } },
    });
    await recordEvent(tx, {
      type: "vm.state",
      actor,
      vmId,
      hostId: placed.hostId,
      jobId,
      toState: "Creating",
      message: `${data.name} is being created from ${template.name} (${offering.name})`,
    });
    return { vm, job };
  }).catch((error: unknown) => {
    // Two racing creates of one name: the unique index on (owner, live name) lets one through.
    if (isUniqueViolation(error)) throw nameTaken(data.name, "Creating");
    throw error;
  });
  await dispatchJob(deps, created.job);
  return created;
}

async function assertNameFree(tx: Tx, ownerId: string, name: string): Promise<void> {
  const taken = await tx.vm.findUnique({ where: { ownerId_liveName: { ownerId, liveName: name } }, select: { id: true, state: true } });
  if (taken) throw nameTaken(name, taken.state);
}

function nameTaken(name: string, state: string): CarveError {
  return new CarveError("VM_NAME_TAKEN", `You already have a VM named '${name}' (${state}). Choose another name or destroy that VM first.`, {
    fields: [{ field: "name", message: "is already used by one of your VMs: choose another" }],
  });
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

/** Tries candidates best first; each reservation is one conditional UPDATE, so racing creates never overcommit. */
async function reserveFirstFit(tx: Tx, candidates: TPlacementChoice[], request: TPlacementRequest): Promise<{ hostId: string; poolId: string } | null> {
  for (const { host, pool } of candidates) {
    if (!(await reserveHostCapacity(tx, host.id, request.vcpus, request.memoryMiB))) continue;
    if (await reservePoolBytes(tx, pool.id, request.diskGiB, request.poolThreshold)) return { hostId: host.id, poolId: pool.id };
    // The host fits but the pool no longer does: give the host's reservation back.
    await releaseHostCapacity(tx, host.id, request.vcpus, request.memoryMiB);
  }
  return null;
}

function uniqueHosts(rows: { host: string; reason: string }[]) {
  return rows.filter((row, i) => rows.findIndex((r) => r.host === row.host) === i);
}
