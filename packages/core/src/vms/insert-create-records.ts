import { Prisma, type Job, type Tx, type Vm } from "@carve/db";
import { releaseHostCapacity, reservationCtes, type TReservationNeed, type TReservationTarget } from "../hosts/capacity.ts";

export interface TCreateRecords {
  vm: Pick<Vm, "id" | "name" | "description" | "ownerId" | "templateId" | "offeringId" | "vcpus" | "memoryMiB"> & { hostId: string; jobId: string };
  volume: { id: string; name: string; poolId: string; libvirtName: string; sizeGiB: number };
  job: { request: Prisma.InputJsonValue };
  event: { message: string };
}

/**
 * Writes what a create records, in ONE statement: the Creating VM, its root volume (Allocating), the
 * vm.create Job (Queued) and the state event. Creates are the hot path, and one round trip instead of
 * four keeps the database's and this process's work per VM small. With `reservation`, the same
 * statement first checks that the owner has no live VM of that name (`nameTaken`, nothing done),
 * then reserves the VM's capacity on that host and pool (reservationCtes) and writes the records
 * only when both fitted (`noRoom` otherwise, the host's share given back by a second statement).
 * Returns the rows as written.
 */
export async function insertCreateRecords(
  tx: Tx,
  r: TCreateRecords,
  now: Date,
  reservation?: { target: TReservationTarget; need: TReservationNeed },
): Promise<{ vm: Vm; job: Job } | "nameTaken" | "noRoom"> {
  const { vm, volume } = r;
  const request = JSON.stringify(r.job.request);
  const [row] = await tx.$queryRaw<{ created: boolean; hostReserved: boolean; nameTaken: boolean }[]>`
    WITH ${reservation ? Prisma.sql`${reservationCtes(reservation.target, reservation.need, nameFree(vm.ownerId, vm.name))},` : Prisma.empty}
    vm AS (
      INSERT INTO "Vm" (id, name, "liveName", description, "ownerId", "hostId", "templateId", "offeringId", state, vcpus, "memoryMiB", "activeJobId", "createdAt", "updatedAt")
      SELECT ${vm.id}::uuid, ${vm.name}, ${vm.name}, ${vm.description}, ${vm.ownerId}::uuid, ${vm.hostId}::uuid, ${vm.templateId}::uuid, ${vm.offeringId}::uuid,
             'Creating', ${vm.vcpus}, ${vm.memoryMiB}, ${vm.jobId}::uuid, ${now}, ${now}
       WHERE ${reservation ? Prisma.sql`EXISTS (SELECT 1 FROM pool)` : Prisma.sql`TRUE`}
      RETURNING id
    ), volume AS (
      INSERT INTO "Volume" (id, name, kind, "vmId", "ownerId", "poolId", "libvirtName", "sizeGiB", state, "createdAt", "updatedAt")
      SELECT ${volume.id}::uuid, ${volume.name}, 'Root', vm.id, ${vm.ownerId}::uuid, ${volume.poolId}::uuid, ${volume.libvirtName}, ${volume.sizeGiB}, 'Allocating', ${now}, ${now} FROM vm
    ), job AS (
      INSERT INTO "Job" (id, kind, state, "actorId", "vmId", "hostId", request, "createdAt")
      SELECT ${vm.jobId}::uuid, 'vm.create', 'Queued', ${vm.ownerId}::uuid, vm.id, ${vm.hostId}::uuid, ${request}::jsonb, ${now} FROM vm
    ), event AS (
      INSERT INTO "Event" (at, type, "actorId", "vmId", "hostId", "jobId", "toState", message)
      SELECT ${now}, 'vm.state', ${vm.ownerId}::uuid, vm.id, ${vm.hostId}::uuid, ${vm.jobId}::uuid, 'Creating', ${r.event.message} FROM vm
    )
    SELECT EXISTS (SELECT 1 FROM vm) AS created,
           ${reservation ? Prisma.sql`EXISTS (SELECT 1 FROM host)` : Prisma.sql`FALSE`} AS "hostReserved",
           ${reservation ? Prisma.sql`NOT ${nameFree(vm.ownerId, vm.name)}` : Prisma.sql`FALSE`} AS "nameTaken"`;
  if (!row?.created) {
    if (row?.nameTaken) return "nameTaken";
    if (reservation && row?.hostReserved) await releaseHostCapacity(tx, reservation.target.hostId, reservation.need.vcpus, reservation.need.memoryMiB);
    return "noRoom";
  }
  const created: Vm = {
    id: vm.id,
    name: vm.name,
    liveName: vm.name,
    description: vm.description,
    ownerId: vm.ownerId,
    teamId: null,
    hostId: vm.hostId,
    templateId: vm.templateId,
    offeringId: vm.offeringId,
    state: "Creating",
    stateReason: null,
    vcpus: vm.vcpus,
    memoryMiB: vm.memoryMiB,
    ipAddress: null,
    activeJobId: vm.jobId,
    createdAt: now,
    updatedAt: now,
    destroyedAt: null,
  };
  const job: Job = {
    id: vm.jobId,
    kind: "vm.create",
    state: "Queued",
    progress: 0,
    step: null,
    actorId: vm.ownerId,
    vmId: vm.id,
    hostId: vm.hostId,
    request: JSON.parse(request) as Prisma.JsonValue,
    result: null,
    errorCode: null,
    errorMessage: null,
    attempts: 0,
    parentJobId: null,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
  };
  return { vm: created, job };
}

/** No live VM of the owner has this name (the unique index's rule), as SQL. */
function nameFree(ownerId: string, name: string): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (SELECT 1 FROM "Vm" WHERE "ownerId" = ${ownerId}::uuid AND "liveName" = ${name})`;
}
