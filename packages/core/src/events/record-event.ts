import type { Prisma, Tx } from "@carve/db";
import { actorId, type TActor } from "../identity/actor.ts";

export interface TEventInput {
  type: string;
  actor: TActor;
  message: string;
  vmId?: string | null;
  hostId?: string | null;
  jobId?: string | null;
  fromState?: string | null;
  toState?: string | null;
  data?: Prisma.InputJsonValue;
}

/** Records one event (every state change has one), inside the caller's transaction. */
export async function recordEvent(tx: Tx, input: TEventInput): Promise<void> {
  await tx.event.create({
    data: {
      type: input.type,
      actorId: actorId(input.actor),
      message: input.message,
      vmId: input.vmId ?? null,
      hostId: input.hostId ?? null,
      jobId: input.jobId ?? null,
      fromState: input.fromState ?? null,
      toState: input.toState ?? null,
      ...(input.data === undefined ? {} : { data: input.data }),
    },
  });
}
