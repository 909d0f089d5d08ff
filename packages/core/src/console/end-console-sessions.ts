import type { Tx } from "@carve/db";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";

/**
 * Ends every open console session (and unused console link) of a VM or of a user, inside the
 * caller's transaction, with the reason the console page shows ("web-1 is Stopped"). Called where
 * a VM stops running, moves or is destroyed, and where a user loses access (disabled, signed out
 * everywhere). The proxy learns it from consoleSessionEnded and closes the stream; the agent's
 * side closes by itself when QEMU's display goes away. Returns how many ended.
 */
export async function endConsoleSessions(tx: Tx, of: { vmId: string } | { userId: string }, reason: string, now: Date): Promise<number> {
  const { count } = await tx.consoleSession.updateMany({ where: { ...of, endedAt: null }, data: { endedAt: now, endedReason: reason } });
  if (count > 0) {
    await recordEvent(tx, {
      type: "console.ended",
      actor: SYSTEM_ACTOR,
      ...("vmId" in of ? { vmId: of.vmId } : {}),
      message: `${count} console session${count === 1 ? "" : "s"} ended: ${reason}`,
      data: { ...of, sessions: count },
    });
  }
  return count;
}
