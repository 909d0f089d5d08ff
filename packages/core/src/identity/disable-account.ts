import type { Tx } from "@carve/db";
import { recordEvent } from "../events/record-event.ts";
import type { TActor } from "./actor.ts";
import { endSessionsOf } from "./end-session.ts";

/** A VM of a disabled user, for the admin to decide about. */
export interface TOrphanVm {
  id: string;
  name: string;
  state: string;
}

/**
 * Disables an account inside the caller's transaction: marks it disabled with the reason and
 * ends its portal sessions, so every session, API key and Slack command of the user is refused
 * from the next request on. Records a `user.disabled` event. Returns the user's live VMs (they
 * keep running: an admin decides what happens to them).
 */
export async function disableAccount(tx: Tx, actor: TActor, user: { id: string; username: string }, reason: "directory" | "admin", now: Date): Promise<TOrphanVm[]> {
  await tx.user.update({ where: { id: user.id }, data: { disabledAt: now, disabledReason: reason } });
  await endSessionsOf(tx, user.id, "disabled", now);
  const vms = await tx.vm.findMany({ where: { ownerId: user.id, state: { not: "Destroyed" } }, select: { id: true, name: true, state: true }, orderBy: { name: "asc" } });
  await recordEvent(tx, {
    type: "user.disabled",
    actor,
    message: `${user.username} was disabled ${reason === "directory" ? "because the directory removed or disabled them" : "by an admin"}${vms.length ? `; their VMs: ${vms.map((v) => v.name).join(", ")}` : ""}`,
    data: { userId: user.id, reason, vms: vms.map((v) => ({ id: v.id, name: v.name, state: v.state })) },
  });
  return vms;
}

/** Enables an account again; sessions from before it was disabled stay ended. */
export async function enableAccount(tx: Tx, actor: TActor, user: { id: string; username: string }): Promise<void> {
  await tx.user.update({ where: { id: user.id }, data: { disabledAt: null, disabledReason: null } });
  await recordEvent(tx, { type: "user.enabled", actor, message: `${user.username} was enabled`, data: { userId: user.id } });
}
