import type { Job, Vm } from "@carve/db";
import { z } from "zod";
import { requireUser, type TActor } from "../identity/actor.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { parseInput } from "../validation/parse-input.ts";
import { createVmRecording } from "./create-vm.ts";
import { requestHash, requestKeyReused, type TRequestKeyRecord } from "./request-keys.ts";

/** How long a request key is remembered: far longer than any front door retries. */
const REQUEST_KEY_TTL_MS = 24 * 3_600_000;

const ZRequestKey = z.object({
  /** The front door's id of this request, e.g. `slack:<team>:<trigger id>`; the same on every retry of it. */
  requestKey: z.string({ error: "is required" }).min(1, "is required").max(300, "is longer than 300 characters"),
});

type TPasswordRevealRef = { revealId: string; expiresAt: Date } | null;

export type TCreateVmOnce =
  | { duplicate: false; vm: Vm; job: Job; passwordReveal: TPasswordRevealRef }
  | { duplicate: true; vmId: string | null; jobId: string | null; passwordReveal: TPasswordRevealRef };

/**
 * createVm, at most once per request key: a front door whose requests are retried (Slack resends
 * a command it thinks went unanswered; an API client retries after a lost answer) passes the same
 * key each time, and only the first creates. The key is recorded in the create's own transaction,
 * so it exists exactly when the VM does: a process killed between the commit and the answer leaves
 * a key that the retry finds, and one killed before the commit leaves nothing (the retry creates).
 * A repeat gets `duplicate: true` with what the first made; the same key with a different request
 * is refused (REQUEST_KEY_REUSED); another user's key tells nothing (null ids). A refused request
 * records nothing: its retry is tried again. Input is createVm's plus `requestKey`.
 */
export async function createVmOnce(deps: TIdentityDeps, actor: TActor, input: unknown): Promise<TCreateVmOnce> {
  const owner = requireUser(actor);
  const { requestKey } = parseInput(ZRequestKey, input);
  const { requestKey: _key, ...createInput } = input as { requestKey: string };
  const record: TRequestKeyRecord = { key: requestKey, actorId: owner.userId, requestHash: requestHash(createInput) };
  await deps.db.requestKey.deleteMany({ where: { createdAt: { lt: new Date(deps.now().getTime() - REQUEST_KEY_TTL_MS) } } });
  const first = await firstAnswer(deps, record);
  if (first) return first;
  try {
    return { duplicate: false, ...(await createVmRecording(deps, actor, createInput, record)) };
  } catch (error) {
    // A concurrent request with the key committed first (this create was rolled back: its key, or
    // the VM's name, was taken by that one's): answer as its retry.
    const raced = await firstAnswer(deps, record);
    if (raced) return raced;
    throw error;
  }
}

/** What the first request with the key made, or null when no request with it has committed. */
async function firstAnswer(deps: TIdentityDeps, record: TRequestKeyRecord): Promise<TCreateVmOnce | null> {
  const first = await deps.db.requestKey.findUnique({ where: { key: record.key } });
  if (!first) return null;
  // A key is only ever reused by retries of one request, so by one user; anything else is not a retry of theirs.
  if (first.actorId !== record.actorId) return { duplicate: true, vmId: null, jobId: null, passwordReveal: null };
  // Keys recorded before requests were fingerprinted have no hash: they count as the same request.
  if (first.requestHash !== null && first.requestHash !== record.requestHash) throw requestKeyReused();
  // The first password of the VM, while it waits for its one view.
  const reveal = first.jobId ? await deps.db.passwordReveal.findFirst({ where: { jobId: first.jobId, userId: record.actorId }, select: { id: true, expiresAt: true } }) : null;
  return { duplicate: true, vmId: first.vmId, jobId: first.jobId, passwordReveal: reveal ? { revealId: reveal.id, expiresAt: reveal.expiresAt } : null };
}
