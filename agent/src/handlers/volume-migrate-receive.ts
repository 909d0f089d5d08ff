import { JobRefusedError } from "../jobs/job-errors.ts";
import { watchCancel } from "../storage-migration/cancel-watch.ts";
import type { TJobHandler } from "./context.ts";

/**
 * volume.migrate-receive (destination half of a storage migration): waits for the one stream of
 * this volume carrying the token sealed to this host, and returns once the copy is verified and in
 * the target pool. A newer receive of the same volume replaces this one; cancel removes the partial.
 */
export const volumeMigrateReceive: TJobHandler<"volume.migrate-receive"> = async (payload, ctx) => {
  const receiver = ctx.volumeReceiver;
  if (!receiver) throw new JobRefusedError("this agent does not receive volume streams (its receiver is not running): check CARVE_AGENT_MIGRATION_LISTEN and the agent's log");
  // A receive re-run after the agent restarted (BullMQ hands a stalled job out again) may have been
  // cancelled meanwhile, and must not replace the session of the retry that followed it.
  if (await ctx.cancelRequested()) throw new JobRefusedError("this receive was cancelled (its migration ended) before it started");
  const token = ctx.openSecret(payload.token);
  const cancel = watchCancel(() => ctx.cancelRequested());
  await ctx.reportProgress({ percent: 0, step: `waiting for the source host's stream on ${receiver.advertised}` });
  try {
    const received = await receiver.receive({ volumeId: payload.volumeId, pool: payload.target.pool, name: payload.target.name, token, waitMs: payload.waitSec * 1000 }, cancel.signal);
    return { volumeId: payload.volumeId, ...received };
  } catch (error) {
    throw new JobRefusedError(`receiving volume ${payload.target.name} into pool ${payload.target.pool} failed: ${error instanceof Error ? error.message : String(error)}; nothing was left in the pool`);
  } finally {
    cancel.stop();
  }
};
