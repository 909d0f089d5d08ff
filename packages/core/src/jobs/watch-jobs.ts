import type { CoreDeps } from "../context.ts";
import { ageMs, DEFAULT_HOST_GRACE_MS, DEFAULT_JOB_STUCK_MS, formatDuration } from "../hosts/host-liveness.ts";
import { abandonJob } from "./abandon-job.ts";
import { settleJob } from "./sweep-jobs.ts";

export interface TWatchOptions {
  /** Host silence after which it is Disconnected; its jobs get as long again to be answered. */
  graceMs?: number;
  /** A job in flight this long on a heartbeating host is abandoned. */
  stuckMs?: number;
}

/**
 * The job watchdog: nothing stays in a transitional state because an agent went silent or a job
 * got lost. A job whose host has been Disconnected for longer than the grace period (or was
 * created on a silent host and waited as long), or which has been in flight for `stuckMs` while
 * its host heartbeats, is failed with a message saying where it stopped and where its VM was left
 * (see abandonJob). Hosts are judged by the state refreshHostStates gave them, so a Redis outage
 * (no heartbeat can be read) never fails jobs.
 */
export async function watchJobs(deps: CoreDeps, options: TWatchOptions = {}): Promise<{ abandoned: number }> {
  const graceMs = options.graceMs ?? DEFAULT_HOST_GRACE_MS;
  const stuckMs = options.stuckMs ?? DEFAULT_JOB_STUCK_MS;
  const jobs = await deps.db.job.findMany({
    where: { state: { in: ["Queued", "Running"] }, hostId: { not: null } },
    select: { id: true, hostId: true, createdAt: true, host: { select: { name: true, state: true, lastHeartbeatAt: true } } },
    orderBy: { createdAt: "asc" },
    take: 1000,
  });
  let abandoned = 0;
  for (const job of jobs) {
    if (!job.host || !job.hostId) continue;
    const now = deps.now();
    const silentMs = ageMs(now, job.host.lastHeartbeatAt);
    if (job.host.state !== "Up" && silentMs > graceMs) {
      // The host went silent at lastBeat + grace; the job waits at least a grace period after that, or after it was made.
      const waitingSince = Math.max(now.getTime() - silentMs + graceMs, job.createdAt.getTime());
      if (now.getTime() - waitingSince > graceMs) {
        const why = job.host.lastHeartbeatAt
          ? `host ${job.host.name} stopped answering (no heartbeat for ${formatDuration(silentMs)})`
          : `host ${job.host.name} has never answered (its agent has not started)`;
        if (await abandonJob(deps, job.id, "HOST_SILENT", why)) abandoned += 1;
      }
      continue;
    }
    const inFlightMs = now.getTime() - job.createdAt.getTime();
    if (inFlightMs <= stuckMs) continue;
    const outcome = await deps.queues.outcome(job.hostId, job.id).catch(() => null);
    if (!outcome) continue; // Redis unreachable: cannot tell, try next round
    if (outcome.state === "completed" || outcome.state === "failed") {
      await settleJob(deps, job.id);
      continue;
    }
    const queueSays =
      outcome.state === "missing"
        ? `its host's queue no longer has it`
        : outcome.active
          ? `the agent of host ${job.host.name} has been running it without finishing (a hypervisor call may hang: check the agent's log)`
          : `it is still waiting in the queue of host ${job.host.name} (is the agent consuming its queue?)`;
    if (await abandonJob(deps, job.id, "JOB_STUCK", `the job made no progress for ${formatDuration(inFlightMs)}: ${queueSays}`)) abandoned += 1;
  }
  return { abandoned };
}
