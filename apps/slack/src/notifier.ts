import { claimSlackNotifications, type TSlackNotification } from "@carve/core";
import type { TSlackCtx } from "./context.ts";

function dmText(n: TSlackNotification): string {
  return n.kind === "job-failed"
    ? `:x: A job on your VM *${n.vmName}* failed: ${n.message}`
    : `:rotating_light: Your VM *${n.vmName}* changed on its own${n.toState ? ` and is now *${n.toState}*` : ""}: ${n.message}`;
}

/** Sends one notification as a DM to its user. */
async function sendDm(ctx: TSlackCtx, n: TSlackNotification): Promise<void> {
  const im = await ctx.client.conversations.open({ users: n.slackUserId });
  const channel = im.channel?.id;
  if (!channel) throw new Error(`conversations.open gave no channel for ${n.slackUserId}`);
  await ctx.client.chat.postMessage({ channel, text: dmText(n) });
}

/**
 * Every `everyMs`, DMs users about their VMs that changed unexpectedly and their failed jobs. Each
 * notification is claimed once across bot replicas; one that cannot be sent is logged, not retried.
 */
export function startNotifier(ctx: TSlackCtx, everyMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const tick = async () => {
    try {
      for (const n of await claimSlackNotifications(ctx.core)) {
        await sendDm(ctx, n).catch((err: unknown) => ctx.log.warn({ err, eventId: n.eventId }, "could not DM a notification"));
      }
    } catch (err) {
      ctx.log.error({ err }, "notification round failed; retrying next round");
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      round = tick().finally(schedule);
    }, everyMs);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await round;
    },
  };
}
