import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { abandonJob } from "../jobs/abandon-job.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { readFencingSettings } from "../settings/fencing-settings.ts";
import { parseInput } from "../validation/parse-input.ts";
import { settleDeadHostVms, type TDeadHostVm } from "./dead-host-vms.ts";
import { ageMs, DEFAULT_HOST_GRACE_MS, formatDuration } from "./host-liveness.ts";
import { resolveHost } from "./resolve-host.ts";
import { runFencingHook } from "./run-fencing-hook.ts";

export const ZDeclareHostDeadInput = z.strictObject({
  host: z.string().min(1, "is required").max(100),
  /** The host's name typed again: the admin's word that it is powered off for good. */
  confirm: z.string({ error: "is required: type the host's name to confirm it is powered off" }).max(100),
});

/** What declaring a host dead did, VM by VM. */
export interface TDeclaredDead {
  host: { id: string; name: string };
  fenced: boolean;
  vms: TDeadHostVm[];
  /** The restart jobs sent (one per VM restarted elsewhere). */
  jobs: Job[];
}

/**
 * Declares a host that is gone for good dead (admins), so its VMs can live on and it can be
 * removed. Refused (HOST_ALIVE) while its agent heartbeats, or did within the grace period, and
 * (INVALID_INPUT) unless `confirm` is the host's name, the admin's word that it is powered off.
 * The fencing hook (`carve settings fencing`), when set, runs first and must succeed
 * (FENCING_FAILED, nothing changed). Then, in one transaction: its jobs in flight are abandoned, the
 * host becomes Dead (no credential, never Up again from a heartbeat: it returns only through
 * 'host remove' then 'host add' and a fresh join), its pools that no other host sees become
 * Unhealthy, and each VM is settled (see settleDeadHostVms): restarted on another host from shared
 * disks (one vm.define+start job each, placement as usual), Lost when a disk was on the dead host's
 * own storage, or left Stopped with placement's reasons. Owners are told through the VMs' events.
 */
export async function declareHostDead(deps: CoreDeps, actor: TActor, input: unknown): Promise<TDeclaredDead> {
  requireAdmin(actor, "declare hosts dead");
  const data = parseInput(ZDeclareHostDeadInput, input);
  const host = await resolveHost(deps.db, data.host);
  if (host.state === "Dead") throw new CarveError("INVALID_STATE", `Host ${host.name} was already declared dead. Remove it with 'carve host remove ${host.name}' once its Lost VMs are destroyed or re-created.`);
  if (data.confirm !== host.name) {
    throw new CarveError("INVALID_INPUT", `Declaring host ${host.name} dead needs its name typed again as the confirmation that it is powered off for good; nothing was changed.`, {
      fields: [{ field: "confirm", message: `must be '${host.name}'` }],
    });
  }
  await refuseWhileAlive(deps, host);
  const fencing = await runFencingHook(await readFencingSettings(deps.db), { name: host.name, address: addressOf(host) });

  // A job in flight on the host will never be answered: abandoned first, so its VM is free to settle.
  const inFlight = await deps.db.job.findMany({ where: { hostId: host.id, state: { in: ["Queued", "Running"] } }, select: { id: true } });
  for (const job of inFlight) await abandonJob(deps, job.id, "HOST_SILENT", `host ${host.name} was declared dead`);

  const outcome = await deps.db.$transaction(async (tx) => {
    // Serialises with placement, removal and a second declaration.
    await tx.$executeRaw`SELECT id FROM "Host" WHERE id = ${host.id}::uuid FOR UPDATE`;
    const now = await tx.host.updateMany({ where: { id: host.id, state: { notIn: ["Dead", "Removed"] } }, data: { state: "Dead", credentialHash: null } });
    if (now.count === 0) throw new CarveError("INVALID_STATE", `Host ${host.name} was declared dead or removed meanwhile; look at it again ('carve host list').`);
    await recordEvent(tx, {
      type: "host.declared-dead",
      actor,
      hostId: host.id,
      fromState: host.state,
      toState: "Dead",
      message: `host ${host.name} declared dead: ${actor.kind === "user" ? actor.username : "the system"} confirmed it is powered off${fencing.ran ? " and the fencing command succeeded" : " (no fencing command is set)"}`,
      data: { confirmedBy: actor.kind === "user" ? actor.username : null, confirmation: data.confirm, fenced: fencing.ran },
    });
    return settleDeadHostVms(tx, deps, actor, { id: host.id, name: host.name });
  });
  for (const job of outcome.jobs) await dispatchJob(deps, job);
  deps.log.warn({ host: host.name, restarted: outcome.jobs.length, vms: outcome.vms.length }, "host declared dead");
  return { host: { id: host.id, name: host.name }, fenced: fencing.ran, ...outcome };
}

/** HOST_ALIVE while the controller sees the host Up or its last beat is younger than the grace period. */
async function refuseWhileAlive(deps: CoreDeps, host: { id: string; name: string; state: string; lastHeartbeatAt: Date | null }): Promise<void> {
  const latest = await deps.queues.heartbeat(host.id);
  const last = latest ? new Date(latest.at) : host.lastHeartbeatAt;
  const silent = ageMs(deps.now(), last);
  if (host.state !== "Up" && silent > DEFAULT_HOST_GRACE_MS) return;
  const beat = last ? `its agent last beat at ${last.toISOString()} (${formatDuration(silent)} ago)` : "its agent never beat";
  const when = silent > DEFAULT_HOST_GRACE_MS ? `the controller still counts it Up (${beat}); wait until it shows the host Disconnected` : beat;
  throw new CarveError(
    "HOST_ALIVE",
    `Host ${host.name} cannot be declared dead: ${when}, so it may still run its VMs. Power it off and stop its agent, wait until it has been silent for ${formatDuration(DEFAULT_HOST_GRACE_MS)}, then try again; to empty a host that still runs, use 'carve host maintenance start ${host.name}'.`,
    { details: { lastHeartbeatAt: last?.toISOString() ?? null } },
  );
}

/** What the fencing command gets as the host's address: libvirt's host name, else the host in its URI, else its name. */
function addressOf(host: { name: string; uri: string; hostname: string | null }): string {
  const fromUri = /^[a-z+]+:\/\/([^/:]+)/.exec(host.uri)?.[1];
  return host.hostname ?? fromUri ?? host.name;
}
