import { randomBytes, randomUUID } from "node:crypto";
import type { Job, Prisma, Tx } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { actorId, type TActor } from "../identity/actor.ts";
import { jobRequest } from "../jobs/job-request.ts";
import { sealForHost } from "../vms/guest-password.ts";

/** A host at one end of a volume stream: its seal key receives the one-time token. */
export interface TStreamHost {
  id: string;
  name: string;
  sealKey: string | null;
}

/** One volume stream to record: what, from where, to where, and what the Job rows remember. */
export interface TStreamSpec {
  volume: { id: string; libvirtName: string };
  source: { host: TStreamHost; pool: string };
  destination: { host: TStreamHost; pool: string };
  bandwidthMiBps: number;
  /** Extra fields of the volume.migrate payload (the VM disk to repoint, keepSource). */
  send?: Pick<TJobPayload<"volume.migrate">, "disk" | "keepSource">;
  /** What the sending Job's request remembers besides its payload, for settling it (given the receiving Job's id). */
  request: (ids: { receiveJobId: string }) => Record<string, Prisma.InputJsonValue>;
  parentJobId?: string | undefined;
  /** The sending Job's id when the caller needs it before (e.g. to hold the volume with it). */
  jobId?: string | undefined;
}

/**
 * Records the two Jobs of one storage-migration stream, in the caller's transaction: the source's
 * `volume.migrate` and the destination's `volume.migrate-receive` (its child), with a one-time
 * token sealed to each agent's key, so neither the Job rows nor Redis ever hold it in plain text.
 * Refuses a destination whose agent advertises no receiver. Dispatch `receive` first, then `send`.
 */
export async function recordStreamJobs(tx: Tx, deps: CoreDeps, actor: TActor, spec: TStreamSpec): Promise<{ send: Job; receive: Job }> {
  const { destination } = spec;
  const beat = await deps.queues.heartbeat(destination.host.id);
  const address = beat?.storageMigration?.address;
  if (!address) {
    throw new CarveError(
      "INVALID_STATE",
      `Host ${destination.host.name} cannot receive volumes: its agent does not advertise a storage-migration receiver. Set CARVE_AGENT_MIGRATION_LISTEN (and CARVE_AGENT_MIGRATION_ADVERTISE if other hosts reach it under another address) on it, restart its agent, and try again.`,
    );
  }
  const token = randomBytes(32).toString("base64url");
  const sendPayload: TJobPayload<"volume.migrate"> = {
    volumeId: spec.volume.id,
    source: { pool: spec.source.pool, name: spec.volume.libvirtName },
    destination: { hostName: destination.host.name, address, pool: destination.pool },
    token: sealForHost(spec.source.host, token),
    bandwidthMiBps: spec.bandwidthMiBps,
    ...spec.send,
  };
  const receivePayload: TJobPayload<"volume.migrate-receive"> = {
    volumeId: spec.volume.id,
    target: { pool: destination.pool, name: spec.volume.libvirtName },
    token: sealForHost(destination.host, token),
  };
  const jobId = spec.jobId ?? randomUUID();
  const receiveJobId = randomUUID();
  const common = { actorId: actorId(actor), createdAt: deps.now() };
  const send = await tx.job.create({
    data: { ...common, id: jobId, kind: "volume.migrate", hostId: spec.source.host.id, parentJobId: spec.parentJobId ?? null, request: jobRequest("volume.migrate", { ...spec.request({ receiveJobId }), payload: sendPayload }) },
  });
  const receive = await tx.job.create({
    data: { ...common, id: receiveJobId, kind: "volume.migrate-receive", hostId: destination.host.id, parentJobId: jobId, request: jobRequest("volume.migrate-receive", { volumeId: spec.volume.id, payload: receivePayload }) },
  });
  return { send, receive };
}
