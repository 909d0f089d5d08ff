import { destroyVm, getVm, type TUserActor } from "@carve/core";
import type { TSlackCtx, TVmCommand } from "./context.ts";
import { followJobInMessage } from "./progress.ts";
import { errorReply, logUnexpected } from "./replies.ts";
import { actorForSlack } from "./slack-user.ts";

export const DESTROY_CONFIRM = "vm_destroy_confirm";
export const DESTROY_CANCEL = "vm_destroy_cancel";

/** What the buttons carry: the VM's id (what is destroyed) and its name (what people read). */
interface TDestroyTarget {
  id: string;
  name: string;
}

/** `/vm destroy NAME`: an ephemeral question with Destroy / Keep buttons; nothing changes yet. */
export async function askToDestroy(ctx: TSlackCtx, actor: TUserActor, cmd: TVmCommand, ref: string | undefined): Promise<void> {
  const vm = await getVm(ctx.core, actor, { vm: ref });
  const target = JSON.stringify({ id: vm.id, name: vm.name } satisfies TDestroyTarget);
  const question = `Destroy *${vm.name}* (${vm.state})? Its disks are deleted; this cannot be undone.`;
  await ctx.client.chat.postEphemeral({
    channel: cmd.channel,
    user: cmd.slackUserId,
    text: question,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: question } },
      {
        type: "actions",
        elements: [
          { type: "button", action_id: DESTROY_CONFIRM, style: "danger", text: { type: "plain_text", text: `Destroy ${vm.name}`.slice(0, 75) }, value: target },
          { type: "button", action_id: DESTROY_CANCEL, text: { type: "plain_text", text: "Keep it" }, value: target },
        ],
      },
    ],
  });
}

export interface TButtonClick {
  slackUserId: string;
  channel: string;
  value: string;
  /** Replaces the ephemeral question (through its response_url). */
  respond: (text: string) => Promise<unknown>;
}

/**
 * The Destroy button: destroys as whoever clicked (core refuses a VM that is not theirs exactly as
 * one that does not exist) and follows the job in one message.
 */
export async function confirmDestroy(ctx: TSlackCtx, click: TButtonClick): Promise<void> {
  try {
    const target = JSON.parse(click.value) as TDestroyTarget;
    const actor = await actorForSlack(ctx.core, ctx.client, click.slackUserId);
    const job = await destroyVm(ctx.core, actor, { vm: target.id });
    await click.respond(`Destroying *${target.name}*…`);
    await followJobInMessage(ctx, { actor, channel: click.channel, title: `Destroying *${target.name}*`, jobId: job.id, vm: target });
  } catch (error) {
    logUnexpected(ctx, error);
    await click.respond(errorReply(error));
  }
}

/** The Keep button: the question goes away, nothing changes. */
export async function cancelDestroy(click: TButtonClick): Promise<void> {
  const target = JSON.parse(click.value) as TDestroyTarget;
  await click.respond(`Kept *${target.name}*.`);
}
