import type { Db } from "@carve/db";
import type { TVia } from "./actor.ts";

export interface TSignInRecord {
  via: TVia;
  clientAddr: string | undefined;
  /** The front door's request id, when it has one. */
  requestId?: string | undefined;
  /** Set for successful sign-ins only: a failed attempt's "username" may be a mistyped password. */
  user: { id: string; username: string } | null;
  action: "auth.login" | "auth.apikey" | "auth.setup";
  errorCode?: string;
}

/**
 * One audit entry per sign-in attempt, never with a password, token or key. A failure to write
 * it is logged by the caller's logger and does not fail the sign-in.
 */
export async function recordSignIn(db: Db, record: TSignInRecord): Promise<void> {
  await db.auditEntry
    .create({
      data: {
        actorId: record.user?.id ?? null,
        actorName: record.user?.username ?? null,
        via: record.via,
        clientAddr: record.clientAddr ?? null,
        requestId: record.requestId ?? null,
        action: record.action,
        outcome: record.errorCode ? "refused" : "ok",
        errorCode: record.errorCode ?? null,
      },
    })
    .catch(() => undefined);
}
