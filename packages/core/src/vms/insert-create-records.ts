import { Prisma, type Job, type Tx, type Vm } from "@carve/db";
import { hostHasRoom, poolCanReserve, releaseHostCapacity, thresholdPermille, type TReservationNeed } from "../hosts/capacity.ts";

export interface TCreateRecords {
  vm: Pick<Vm, "id" | "name" | "description" | "ownerId" | "templateId" | "offeringId" | "vcpus" | "memoryMiB"> & { hostId: string; jobId: string; /** Its first NIC's address, if any. */ ipAddress?: string | null };
  volume: { id: string; name: string; poolId: string; libvirtName: string; sizeGiB: number };
  job: { request: Prisma.InputJsonValue };
  event: { message: string };
}

/** One create to write: its records, when, and what to reserve first on its VM's host and its root volume's pool (null: nothing). */
export interface TCreateWrite {
  records: TCreateRecords;
  now: Date;
  reserve: TReservationNeed | null;
}

/** A create written (its rows as written), or why not: a live VM of the owner has the name, or its host or pool had no room. */
export type TCreateWritten = { vm: Vm; job: Job } | "nameTaken" | "noRoom";

const GIB = 1024 ** 3;

/**
 * Writes what creates record, in ONE statement however many they are: each Creating VM, its root
 * volume (Allocating), its vm.create Job (Queued) and its state event. Creates are the hot path, and
 * one round trip for a whole batch keeps the database's and this process's work per VM small.
 *
 * A create whose owner already has a live VM of that name is not written and reserves nothing
 * (`nameTaken`). Creates with `reserve` are written only when their capacity was reserved in the
 * same statement: the vCPUs and memory of all of them on one host in one conditional UPDATE
 * (hostHasRoom), then their disks on one pool likewise (poolCanReserve, charged only for hosts that
 * fitted), so racing statements never overcommit. When a host or pool has no room for its creates'
 * share, none of those is written (`noRoom`; a host's share whose pool did not fit is given back by a
 * second statement): the caller places them again one by one. Two creates of one name for one owner
 * in one call fail the statement on the unique index. Answers in the order of `writes`.
 */
export async function insertCreateRecords(tx: Tx, writes: TCreateWrite[]): Promise<TCreateWritten[]> {
  if (writes.length === 0) return [];
  const input = writes.map(({ records: { vm, volume, job, event }, now, reserve }, i) => ({
    i, vmId: vm.id, name: vm.name, description: vm.description, ownerId: vm.ownerId, hostId: vm.hostId, templateId: vm.templateId,
    offeringId: vm.offeringId, vcpus: vm.vcpus, memoryMiB: vm.memoryMiB, ipAddress: vm.ipAddress ?? null, jobId: vm.jobId, volumeId: volume.id, volumeName: volume.name,
    poolId: volume.poolId, libvirtName: volume.libvirtName, sizeGiB: volume.sizeGiB, request: job.request, message: event.message,
    at: now.toISOString(), reserve: reserve !== null, needVcpus: reserve?.vcpus ?? 0, needMemMiB: reserve?.memoryMiB ?? 0,
    needBytes: (reserve?.diskGiB ?? 0) * GIB, permille: Number(thresholdPermille(reserve?.poolThreshold ?? 1)),
  })); // prettier-ignore
  const rows = await tx.$queryRaw<{ created: boolean; nameTaken: boolean; hostReserved: boolean }[]>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS x(
        i int, "vmId" uuid, name text, description text, "ownerId" uuid, "hostId" uuid, "templateId" uuid, "offeringId" uuid,
        vcpus int, "memoryMiB" int, "ipAddress" text, "jobId" uuid, "volumeId" uuid, "volumeName" text, "poolId" uuid, "libvirtName" text, "sizeGiB" int,
        request jsonb, message text, at timestamp(3), reserve boolean, "needVcpus" int, "needMemMiB" int, "needBytes" bigint, permille bigint)
    ), free AS (
      SELECT * FROM input WHERE NOT EXISTS (SELECT 1 FROM "Vm" v WHERE v."ownerId" = input."ownerId" AND v."liveName" = input.name)
    ), host_need AS (
      SELECT "hostId", sum("needVcpus") AS vcpus, sum("needMemMiB") AS mem FROM free WHERE reserve GROUP BY "hostId"
    ), host AS (
      UPDATE "Host" h
         SET "vcpusAllocated" = h."vcpusAllocated" + n.vcpus,
             "memMiBAllocated" = h."memMiBAllocated" + n.mem
        FROM host_need n
       WHERE h.id = n."hostId"
         AND ${hostHasRoom(Prisma.raw("h"), Prisma.raw("n.vcpus"), Prisma.raw("n.mem"))}
      RETURNING h.id
    ), pool_need AS (
      SELECT "poolId", sum("needBytes") AS bytes, min(permille) AS permille FROM free WHERE reserve AND "hostId" IN (SELECT id FROM host) GROUP BY "poolId"
    ), pool AS (
      UPDATE "StoragePool" p
         SET "reservedBytes" = p."reservedBytes" + n.bytes
        FROM pool_need n
       WHERE p.id = n."poolId"
         AND ${poolCanReserve(Prisma.raw("p"), Prisma.raw("n.bytes"), Prisma.raw("n.permille"))}
      RETURNING p.id
    ), placed AS (
      SELECT * FROM free WHERE NOT reserve OR ("hostId" IN (SELECT id FROM host) AND "poolId" IN (SELECT id FROM pool))
    ), vm AS (
      INSERT INTO "Vm" (id, name, "liveName", description, "ownerId", "hostId", "templateId", "offeringId", state, vcpus, "memoryMiB", "ipAddress", "activeJobId", "createdAt", "updatedAt")
      SELECT "vmId", name, name, description, "ownerId", "hostId", "templateId", "offeringId", 'Creating', vcpus, "memoryMiB", "ipAddress", "jobId", at, at FROM placed
      RETURNING id
    ), volume AS (
      INSERT INTO "Volume" (id, name, kind, "vmId", "ownerId", "poolId", "libvirtName", "sizeGiB", state, "createdAt", "updatedAt")
      SELECT p."volumeId", p."volumeName", 'Root', vm.id, p."ownerId", p."poolId", p."libvirtName", p."sizeGiB", 'Allocating', p.at, p.at FROM placed p JOIN vm ON vm.id = p."vmId"
    ), job AS (
      INSERT INTO "Job" (id, kind, state, "actorId", "vmId", "hostId", request, "createdAt")
      SELECT p."jobId", 'vm.create', 'Queued', p."ownerId", vm.id, p."hostId", p.request, p.at FROM placed p JOIN vm ON vm.id = p."vmId"
    ), event AS (
      INSERT INTO "Event" (at, type, "actorId", "vmId", "hostId", "jobId", "toState", message)
      SELECT p.at, 'vm.state', p."ownerId", vm.id, p."hostId", p."jobId", 'Creating', p.message FROM placed p JOIN vm ON vm.id = p."vmId"
    )
    SELECT "vmId" IN (SELECT id FROM vm) AS created,
           i NOT IN (SELECT i FROM free) AS "nameTaken",
           reserve AND "hostId" IN (SELECT id FROM host) AS "hostReserved"
      FROM input ORDER BY i`;

  // Hosts that took a share for creates whose pool then had no room give it back, one statement per host.
  const giveBack = new Map<string, { vcpus: number; memoryMiB: number }>();
  const written = writes.map((write, i): TCreateWritten => {
    const row = rows[i];
    if (row?.created) return createdRows(write);
    if (row?.nameTaken) return "nameTaken";
    if (row?.hostReserved && write.reserve) {
      const share = giveBack.get(write.records.vm.hostId) ?? { vcpus: 0, memoryMiB: 0 };
      giveBack.set(write.records.vm.hostId, { vcpus: share.vcpus + write.reserve.vcpus, memoryMiB: share.memoryMiB + write.reserve.memoryMiB });
    }
    return "noRoom";
  });
  for (const [hostId, share] of giveBack) await releaseHostCapacity(tx, hostId, share.vcpus, share.memoryMiB);
  return written;
}

/** The VM and Job rows as the statement wrote them. */
function createdRows({ records: { vm, job }, now }: TCreateWrite): { vm: Vm; job: Job } {
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
    ipAddress: vm.ipAddress ?? null,
    activeJobId: vm.jobId,
    createdAt: now,
    updatedAt: now,
    destroyedAt: null,
  };
  const queued: Job = {
    id: vm.jobId,
    kind: "vm.create",
    state: "Queued",
    progress: 0,
    step: null,
    actorId: vm.ownerId,
    vmId: vm.id,
    hostId: vm.hostId,
    request: JSON.parse(JSON.stringify(job.request)) as Prisma.JsonValue,
    result: null,
    errorCode: null,
    errorMessage: null,
    attempts: 0,
    parentJobId: null,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
  };
  return { vm: created, job: queued };
}
