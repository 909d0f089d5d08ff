import type { JobState, Prisma } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { ZPage } from "../validation/fields.ts";
import { pageOf, type TPage } from "../validation/page.ts";
import { parseInput } from "../validation/parse-input.ts";

const JOB_STATES = ["Queued", "Running", "Succeeded", "Failed", "Cancelled"] as const;

export const ZListJobsInput = ZPage.extend({
  /** Only jobs in this state (default: every job, failed ones first). */
  state: z.enum(JOB_STATES, { error: `must be one of ${JOB_STATES.join(", ")}` }).optional(),
  /** Only jobs of this kind, e.g. vm.create. */
  kind: z.string().max(100).optional(),
});

const JOB_VIEW_SELECT = {
  id: true,
  kind: true,
  state: true,
  progress: true,
  step: true,
  errorCode: true,
  errorMessage: true,
  attempts: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  vmId: true,
  actor: { select: { username: true } },
  vm: { select: { name: true } },
  host: { select: { name: true } },
} satisfies Prisma.JobSelect;

export type TJobView = Prisma.JobGetPayload<{ select: typeof JOB_VIEW_SELECT }>;

const NEWEST_FIRST = [{ createdAt: "desc" }, { id: "desc" }] satisfies Prisma.JobOrderByWithRelationInput[];

/**
 * Every job, for admins: failed ones first (newest first), then all the others newest first, a
 * page at a time, with who started it, on which VM and host, and the error code and message. The
 * cursor is the last job's id; the section it belongs to is read from that job's state.
 */
export async function listJobs(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TPage<TJobView>> {
  requireAdmin(actor, "list every job");
  const q = parseInput(ZListJobsInput, input);
  const base: Prisma.JobWhereInput = q.kind ? { kind: q.kind } : {};
  const section = (state: Prisma.JobWhereInput["state"]) => (args: { take: number; skip?: number; cursor?: { id: string } }) =>
    deps.db.job.findMany({ where: { ...base, state }, select: JOB_VIEW_SELECT, orderBy: NEWEST_FIRST, ...args });
  if (q.state) return pageOf(q, section(q.state));

  // Two sections share one cursor (the last job's id): the failed section continues from it when
  // it is a failed job; the others' section starts at its top then, and continues from it otherwise.
  const failed: JobState = "Failed";
  let cursorFailed = false;
  const first = await pageOf(q, async (args) => {
    cursorFailed = q.cursor !== undefined && (await deps.db.job.findUnique({ where: { id: q.cursor }, select: { state: true } }))?.state === failed;
    return q.cursor === undefined || cursorFailed ? section(failed)(args) : [];
  });
  if (first.nextCursor) return first;
  const room = q.limit - first.items.length;
  const rest = await deps.db.job.findMany({
    where: { ...base, state: { not: failed } },
    select: JOB_VIEW_SELECT,
    orderBy: NEWEST_FIRST,
    take: room + 1,
    ...(q.cursor !== undefined && !cursorFailed ? { skip: 1, cursor: { id: q.cursor } } : {}),
  });
  const items = [...first.items, ...rest.slice(0, room)];
  const last = items[items.length - 1];
  return { items, nextCursor: rest.length > room && last ? last.id : null };
}
