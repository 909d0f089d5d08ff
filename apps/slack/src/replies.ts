import { isCarveError, toCarveError, type CarveError, type TErrorCode } from "@carve/core";
import type { TSlackCtx } from "./context.ts";

/**
 * How each error reads in Slack: an emoji that says what kind of refusal it is and, where the
 * message alone does not say it, what to do next (a message names lookups in Slack's own way:
 * core's front-door ways). Codes not listed read as their message.
 */
const SLACK_REPLIES: Partial<Record<TErrorCode, { emoji: string; next?: string }>> = {
  INVALID_INPUT: { emoji: ":warning:", next: "See `/vm help` for the forms of each command." },
  UNAUTHENTICATED: { emoji: ":lock:" },
  ACCOUNT_DISABLED: { emoji: ":lock:" },
  FORBIDDEN: { emoji: ":no_entry:" },
  VM_NOT_FOUND: { emoji: ":mag:" },
  VM_NAME_TAKEN: { emoji: ":warning:" },
  VM_BUSY: { emoji: ":hourglass:" },
  INVALID_STATE: { emoji: ":warning:" },
  TEMPLATE_NOT_FOUND: { emoji: ":mag:" },
  TEMPLATE_NOT_READY: { emoji: ":hourglass:" },
  OFFERING_NOT_FOUND: { emoji: ":mag:" },
  NO_CAPACITY: { emoji: ":no_entry:" },
  QUOTA_EXCEEDED: { emoji: ":no_entry:", next: "Your quota: `/vm quota`." },
  AGENT_ERROR: { emoji: ":x:" },
  TIMEOUT: { emoji: ":hourglass:" },
  INTERNAL: { emoji: ":boom:" },
};

/** The Slack text for any error: a CarveError's message (and its fields), or a generic line for a bug. */
export function errorReply(error: unknown): string {
  const carve: CarveError = toCarveError(error);
  const reply = SLACK_REPLIES[carve.code] ?? { emoji: ":x:" };
  const { message, fields = [] } = carve.forDoor("slack");
  const listed = fields.length > 1 ? `\n${fields.map((f) => `• \`${f.field}\` ${f.message}`).join("\n")}` : "";
  return `${reply.emoji} ${message}${listed}${reply.next ? `\n${reply.next}` : ""}`;
}

/** Expected refusals are answers, not crashes; anything else is logged with its cause. */
export function logUnexpected(ctx: Pick<TSlackCtx, "log">, error: unknown): void {
  if (!isCarveError(error) || !error.expected) ctx.log.error({ err: error }, "a Slack request failed");
}
