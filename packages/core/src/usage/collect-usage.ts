import type { Db, PoolScope, Prisma, UsageGranularity, UsageKind, VmState } from "@carve/db";
import { z } from "zod";
import { HOUR_MS, splitIntoBuckets, vmIntervals, type TInterval, type TVmChange } from "./usage-timeline.ts";

/** Event types whose fromState/toState change a VM's state (the controller's and reconciliation's). */
const VM_STATE_EVENTS = ["vm.state", "vm.reconciled"];

/**
 * The event that changes a VM's service offering. Carve has no resize use-case yet: whatever resizes a
 * VM records this event (with `vmId`) in the same transaction, and metering switches offering at its `at`.
 */
export const VM_RESIZED_EVENT = "vm.resized";
export const ZVmResizedData = z.object({ fromOfferingId: z.uuid(), toOfferingId: z.uuid() });

/** Template events that start (ready, added) or end (deleted) its stored image; they carry its id and size. */
const TEMPLATE_STORED_EVENTS = ["template.ready", "template.added"];
const TEMPLATE_DELETED_EVENT = "template.deleted";
const ZTemplateEventData = z.object({ templateId: z.uuid(), sizeBytes: z.string().regex(/^\d+$/).optional() });

/** One usage record as written: exact milliseconds of one subject in one period. */
export interface TUsageRow {
  granularity: UsageGranularity;
  periodStart: Date;
  kind: UsageKind;
  subjectId: string;
  dimension: string;
  ownerId: string | null;
  teamId: string | null;
  offeringId: string | null;
  poolScope: PoolScope | null;
  size: bigint;
  durationMs: bigint;
}

type TSubject = Pick<TUsageRow, "ownerId" | "teamId" | "poolScope" | "size">;

/** The windows one aggregation covers: `[from, to)` for each granularity, aligned to it. */
export type TWindows = Partial<Record<UsageGranularity, { from: number; to: number }>>;

/**
 * Usage records for the given windows, computed from the event history (VM state and offering changes,
 * template events) and the volumes' creation and deletion times. Never reads the clock: an interval
 * still open is cut at its period's end, so the caller only asks for periods that are over.
 */
export async function collectUsage(db: Db | Prisma.TransactionClient, windows: TWindows): Promise<TUsageRow[]> {
  const spans = Object.values(windows);
  if (spans.length === 0) return [];
  const from = Math.min(...spans.map((w) => w.from));
  const to = Math.max(...spans.map((w) => w.to));
  const subjects = new Map<string, TSubject>();
  const intervals = [
    ...(await vmUsage(db, from, to, subjects)),
    ...(await volumeUsage(db, from, to, subjects)),
    ...(await templateUsage(db, to, subjects)),
  ];
  const rows: TUsageRow[] = [];
  for (const [granularity, window] of Object.entries(windows) as [UsageGranularity, { from: number; to: number }][]) {
    for (const bucket of splitIntoBuckets(intervals, window.from, window.to, granularity)) {
      const [subjectId = "", kind = "", dimension = ""] = bucket.key.split("|");
      const subject = subjects.get(subjectId);
      if (!subject) continue;
      rows.push({
        granularity,
        periodStart: new Date(bucket.periodStart),
        kind: kind as UsageKind,
        subjectId,
        dimension,
        offeringId: kind === "VmRunning" || kind === "VmAllocated" ? dimension : null,
        ...subject,
        durationMs: BigInt(bucket.durationMs),
      });
    }
  }
  return rows;
}

async function vmUsage(db: Db | Prisma.TransactionClient, from: number, to: number, subjects: Map<string, TSubject>): Promise<TInterval[]> {
  const vms = await db.vm.findMany({
    // destroyedAt comes from the controller's clock and the Destroyed event's `at` from the
    // database's: an hour of slack keeps a VM destroyed right at the window's start.
    where: { createdAt: { lt: new Date(to) }, OR: [{ destroyedAt: null }, { destroyedAt: { gte: new Date(from - HOUR_MS) } }] },
    select: { id: true, ownerId: true, teamId: true, offeringId: true },
  });
  if (vms.length === 0) return [];
  const events = await db.event.findMany({
    where: {
      vmId: { in: vms.map((vm) => vm.id) },
      at: { lt: new Date(to) },
      OR: [{ type: { in: VM_STATE_EVENTS }, toState: { not: null } }, { type: VM_RESIZED_EVENT }],
    },
    select: { vmId: true, at: true, type: true, toState: true, data: true },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
  const changes = new Map<string, TVmChange[]>();
  const firstOffering = new Map<string, string>();
  for (const event of events) {
    if (!event.vmId) continue;
    let change: TVmChange;
    if (event.type === VM_RESIZED_EVENT) {
      const resize = ZVmResizedData.safeParse(event.data);
      if (!resize.success) continue;
      if (!firstOffering.has(event.vmId)) firstOffering.set(event.vmId, resize.data.fromOfferingId);
      change = { at: event.at.getTime(), toOfferingId: resize.data.toOfferingId };
    } else {
      change = { at: event.at.getTime(), toState: event.toState as VmState };
    }
    const list = changes.get(event.vmId) ?? [];
    list.push(change);
    changes.set(event.vmId, list);
  }
  return vms.flatMap((vm) => {
    subjects.set(vm.id, { ownerId: vm.ownerId, teamId: vm.teamId, poolScope: null, size: 1n });
    // The row holds the offering after the last resize; before the first one it was that resize's "from".
    return vmIntervals(firstOffering.get(vm.id) ?? vm.offeringId, changes.get(vm.id) ?? []).map((i) => ({ ...i, key: `${vm.id}|${i.key}` }));
  });
}

async function volumeUsage(db: Db | Prisma.TransactionClient, from: number, to: number, subjects: Map<string, TSubject>): Promise<TInterval[]> {
  const volumes = await db.volume.findMany({
    where: { createdAt: { lt: new Date(to) }, OR: [{ deletedAt: null }, { deletedAt: { gt: new Date(from) } }] },
    select: { id: true, ownerId: true, sizeGiB: true, createdAt: true, deletedAt: true, pool: { select: { scope: true } }, vm: { select: { teamId: true } } },
  });
  return volumes.map((volume) => {
    subjects.set(volume.id, { ownerId: volume.ownerId, teamId: volume.vm?.teamId ?? null, poolScope: volume.pool.scope, size: BigInt(volume.sizeGiB) });
    return { start: volume.createdAt.getTime(), end: volume.deletedAt?.getTime() ?? Number.POSITIVE_INFINITY, key: `${volume.id}|Volume|` };
  });
}

async function templateUsage(db: Db | Prisma.TransactionClient, to: number, subjects: Map<string, TSubject>): Promise<TInterval[]> {
  const events = await db.event.findMany({
    where: { type: { in: [...TEMPLATE_STORED_EVENTS, TEMPLATE_DELETED_EVENT] }, at: { lt: new Date(to) } },
    select: { type: true, at: true, data: true },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
  const intervals: TInterval[] = [];
  const open = new Map<string, number>();
  for (const event of events) {
    const data = ZTemplateEventData.safeParse(event.data);
    // Events recorded before templates carried their id cannot be attributed.
    if (!data.success) continue;
    const { templateId } = data.data;
    const since = open.get(templateId);
    if (event.type === TEMPLATE_DELETED_EVENT) {
      if (since !== undefined) intervals.push({ start: since, end: event.at.getTime(), key: `${templateId}|Template|` });
      open.delete(templateId);
    } else if (since === undefined) {
      open.set(templateId, event.at.getTime());
      subjects.set(templateId, { ownerId: null, teamId: null, poolScope: null, size: BigInt(data.data.sizeBytes ?? "0") });
    }
  }
  for (const [templateId, since] of open) intervals.push({ start: since, end: Number.POSITIVE_INFINITY, key: `${templateId}|Template|` });
  return intervals;
}
