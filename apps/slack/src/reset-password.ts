import { resetVmPassword, revealVmPassword, waitForJob, type TUserActor } from "@carve/core";
import type { TSlackCtx, TVmCommand } from "./context.ts";

/**
 * `/vm reset-password NAME`: sets a new generated password through the guest agent and shows it
 * once, in an ephemeral message only its owner sees (never a channel message); core deletes it as
 * it is shown, so it cannot be fetched again.
 */
export async function resetPasswordInSlack(ctx: TSlackCtx, actor: TUserActor, cmd: TVmCommand, ref: string | undefined): Promise<void> {
  const ephemeral = (text: string) => ctx.client.chat.postEphemeral({ channel: cmd.channel, user: cmd.slackUserId, text });
  const reset = await resetVmPassword(ctx.core, actor, { vm: ref });
  await ephemeral(`:hourglass_flowing_sand: Setting a new password for \`${reset.user}\`…`);
  const job = await waitForJob(ctx.core, actor, reset.job.id, { pollMs: ctx.jobPollMs, timeoutMs: ctx.jobTimeoutMs });
  if (job.state !== "Succeeded") {
    await ephemeral(`:x: The password was not changed: ${job.errorMessage ?? `job ${job.id} ended ${job.state}`}`);
    return;
  }
  const shown = await revealVmPassword(ctx.core, actor, { revealId: reset.revealId });
  await ephemeral(`:key: New password of \`${shown.user}\` on *${shown.vmName}*: \`${shown.password}\`\nOnly you can see this message, and Carve will not show the password again.`);
}
