import type { Job, Vm } from "@carve/db";
import { z } from "zod";
import { requireUser, type TActor } from "../identity/actor.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { isUniqueViolation } from "../validation/is-unique-violation.ts";
import { parseInput } from "../validation/parse-input.ts";
import { createVm } from "./create-vm.ts";

/** How long a request key is remembered: far longer than any front door retries. */
const REQUEST_KEY_TTL_MS = 24 * 3_600_000;

const ZRequestKey = z.object({
  /** The front door's id of this request, e.g. `slack:<team>:<trigger id>`; the same on every retry of it. */
  requestKey: z.string({ error: "is required" }).min(1, "is required").max(300, "is longer than 300 characters"),
});

export type TCreateVmOnce = { duplicate: false; vm: Vm; job: Job } | { duplicate: true; vmId: string | null; jobId: string | null };

/**
 * createVm, at most once per request key: a front door whose requests are retried (Slack resends
 * a command it thinks went unanswered) passes the same key each time, and only the first creates.
 * A repeat gets `duplicate: true` with what the first made (null while the first is still placing,
 * or when it failed: its answer already went to the user). Input is createVm's plus `requestKey`.
 */
export async function createVmOnce(deps: TIdentityDeps, actor: TActor, input: unknown): Promise<TCreateVmOnce> {
  const owner = requireUser(actor);
  const { requestKey } = parseInput(ZRequestKey, input);
  const { requestKey: _key, ...createInput } = input as { requestKey: string };
  await deps.db.requestKey.deleteMany({ where: { createdAt: { lt: new Date(deps.now().getTime() - REQUEST_KEY_TTL_MS) } } });
  const claimed = await deps.db.requestKey.create({ data: { key: requestKey, actorId: owner.userId } }).then(
    () => true,
    (error: unknown) => {
      if (isUniqueViolation(error)) return false;
      throw error;
    },
  );
  if (!claimed) {
    const first = await deps.db.requestKey.findUnique({ where: { key: requestKey } });
    // A key is only ever reused by retries of one request, so by one user; anything else is not a retry of theirs.
    const mine = first?.actorId === owner.userId;
    return { duplicate: true, vmId: mine ? (first.vmId ?? null) : null, jobId: mine ? (first.jobId ?? null) : null };
  }
  const created = await createVm(deps, actor, createInput);
  await deps.db.requestKey.update({ where: { key: requestKey }, data: { vmId: created.vm.id, jobId: created.job.id } });
  return { duplicate: false, ...created };
}
