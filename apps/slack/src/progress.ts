import { getVm, isCarveError, isFinished, waitForJob, type TUserActor } from "@carve/core";
import type { TSlackCtx } from "./context.ts";
import { connectText } from "./format.ts";
import { errorReply } from "./replies.ts";

export interface TFollowed {
  actor: TUserActor;
  /** Where the one progress message goes. */
  channel: string;
  /** What is happening, e.g. "Creating *web-1*". */
  title: string;
  jobId: string;
  vm: { id: string; name: string };
}

type TJob = Awaited<ReturnType<typeof waitForJob>>;

/** A job's step as a person reads it: queued, then the agent's own steps (creating disk, booting…). */
function stepOf(job: TJob): string {
  if (job.state === "Queued") return "queued";
  return job.step ? `${job.step} (${job.progress}%)` : `running (${job.progress}%)`;
}

/**
 * Posts ONE message for a long action and updates it as its job moves (chat.update), ending with
 * the VM's state (with its address and connect line when it has one) or the job's actionable
 * error. Never throws: whatever goes wrong ends up in the message.
 */
export async function followJobInMessage(ctx: TSlackCtx, followed: TFollowed): Promise<void> {
  const posted = await ctx.client.chat.postMessage({ channel: followed.channel, text: `:hourglass_flowing_sand: ${followed.title}: queued` });
  const channel = posted.channel ?? followed.channel;
  const ts = posted.ts;
  if (!ts) throw new Error("chat.postMessage returned no message timestamp");
  let shown = "queued";
  let updates: Promise<unknown> = Promise.resolve();
  const update = (text: string) => {
    updates = updates.then(() => ctx.client.chat.update({ channel, ts, text })).catch((err: unknown) => ctx.log.warn({ err }, "could not update a progress message"));
  };
  let final: string;
  try {
    const job = await waitForJob(ctx.core, followed.actor, followed.jobId, {
      pollMs: ctx.jobPollMs,
      timeoutMs: ctx.jobTimeoutMs,
      onProgress: (j) => {
        const step = stepOf(j);
        if (isFinished(j) || step === shown) return;
        shown = step;
        update(`:hourglass_flowing_sand: ${followed.title}: ${step}`);
      },
    });
    final = job.state === "Succeeded" ? await outcome(ctx, followed) : `:x: ${followed.title} failed: ${job.errorMessage ?? `job ${job.id} ended ${job.state}`}`;
  } catch (error) {
    final = errorReply(error);
  }
  update(final);
  await updates;
}

/** The VM after a successful job: its state, IP and connect line, or that it is gone. */
async function outcome(ctx: TSlackCtx, followed: TFollowed): Promise<string> {
  const vm = await getVm(ctx.core, followed.actor, { vm: followed.vm.id }).catch((error: unknown) => {
    if (isCarveError(error) && error.code === "VM_NOT_FOUND") return null;
    throw error;
  });
  if (!vm) return `:white_check_mark: *${followed.vm.name}* is destroyed.`;
  const ip = vm.ipAddress ? `, IP address \`${vm.ipAddress}\`` : "";
  const connect = vm.connect ? `\n${connectText(vm.connect)}` : "";
  return `:white_check_mark: *${vm.name}* is *${vm.state}*${vm.host ? ` on ${vm.host.name}` : ""}${ip}.${connect}`;
}
