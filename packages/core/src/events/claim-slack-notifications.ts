import type { Prisma } from "@carve/db";
import type { CoreDeps } from "../context.ts";

/** Where the Slack bot's notification cursor is kept: one for every bot replica. */
const CURSOR_KEY = "notifications.slack.cursor";

/**
 * Events are numbered when their transaction starts and visible when it commits, so a young event
 * may still be overtaken by an older number; only events this old are read.
 */
const DEFAULT_SETTLE_MS = 2_000;

export interface TSlackNotification {
  eventId: string;
  slackUserId: string;
  /** `vm-changed`: reconciliation, a silent or dead host changed the VM; `job-failed`: a job of theirs failed. */
  kind: "vm-changed" | "job-failed";
  vmName: string;
  toState: string | null;
  message: string;
}

/**
 * The notifications the Slack bot owes since it last asked, each claimed once across every bot
 * replica (the cursor moves by compare-and-set; a replica that loses the race gets nothing):
 * VM state changes nobody asked for (reconciliation, host silence) go to the VM's owner, job
 * failures to whoever started the job, for users linked to Slack. The first call starts at the
 * newest event rather than replaying history.
 */
export async function claimSlackNotifications(deps: CoreDeps, options: { limit?: number; settleMs?: number } = {}): Promise<TSlackNotification[]> {
  const cursor = await readCursor(deps);
  if (cursor === null) return [];
  const settled = new Date(deps.now().getTime() - (options.settleMs ?? DEFAULT_SETTLE_MS));
  const events = await deps.db.event.findMany({
    where: { id: { gt: cursor }, at: { lte: settled }, type: { in: ["vm.state", "vm.reconciled", "vm.host-dead"] }, actorId: null },
    select: {
      id: true,
      type: true,
      jobId: true,
      toState: true,
      message: true,
      vm: { select: { name: true, owner: { select: { slackUserId: true } } } },
    },
    orderBy: { id: "asc" },
    take: options.limit ?? 200,
  });
  const last = events[events.length - 1];
  if (!last) return [];
  const moved = await deps.db.setting.updateMany({
    where: { key: CURSOR_KEY, value: { equals: cursorValue(cursor) } },
    data: { value: cursorValue(last.id) },
  });
  if (moved.count === 0) return [];
  const jobIds = events.flatMap((e) => (e.type === "vm.state" && e.jobId ? [e.jobId] : []));
  const failedJobs = new Map(
    (await deps.db.job.findMany({ where: { id: { in: jobIds }, state: "Failed" }, select: { id: true, actor: { select: { slackUserId: true } } } })).map((j) => [j.id, j]),
  );
  const notifications: TSlackNotification[] = [];
  for (const event of events) {
    if (!event.vm) continue;
    const base = { eventId: event.id.toString(), vmName: event.vm.name, toState: event.toState, message: event.message };
    // vm.state with a job is that job's outcome: news only when it failed. Without a job, or from reconciliation, nobody asked for it.
    const job = event.type === "vm.state" && event.jobId ? failedJobs.get(event.jobId) : undefined;
    const routine = event.type === "vm.state" && event.jobId !== null && !job;
    if (routine) continue;
    const slackUserId = job ? job.actor?.slackUserId : event.vm.owner.slackUserId;
    if (slackUserId) notifications.push({ ...base, slackUserId, kind: job ? "job-failed" : "vm-changed" });
  }
  return notifications;
}

function cursorValue(id: bigint): Prisma.InputJsonValue {
  return { eventId: id.toString() };
}

/** The cursor, created at the newest event on first use (null then: nothing is owed yet). */
async function readCursor(deps: CoreDeps): Promise<bigint | null> {
  const row = await deps.db.setting.findUnique({ where: { key: CURSOR_KEY }, select: { value: true } });
  const stored = row?.value as { eventId?: string } | undefined;
  if (stored?.eventId) return BigInt(stored.eventId);
  const newest = await deps.db.event.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  await deps.db.setting.createMany({ data: [{ key: CURSOR_KEY, value: cursorValue(newest?.id ?? 0n) }], skipDuplicates: true });
  return null;
}
