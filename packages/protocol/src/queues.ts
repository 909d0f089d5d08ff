/**
 * Every host has its own queue, so that each agent can later hold a Redis credential limited to
 * `<prefix>:host.<hostId>:*`: it never sees or enqueues another host's jobs. Results travel back
 * as the job's return value in that same queue; the controller reads them from there.
 */
export const hostQueueName = (hostId: string): string => `host.${hostId}`;

/** Keys the agent writes inside its own queue's key space (so a per-queue ACL covers them). */
export const hostHeartbeatKey = (prefix: string, hostId: string): string =>
  `${prefix}:${hostQueueName(hostId)}:carve:heartbeat`;

/**
 * The log level the control plane wants this host's agent to run at (`carve settings log-level`):
 * the controller writes it, the agent reads it every heartbeat. Absent: the agent's LOG_LEVEL.
 */
export const hostLogLevelKey = (prefix: string, hostId: string): string =>
  `${prefix}:${hostQueueName(hostId)}:carve:log-level`;

/**
 * Set by the control plane to ask the agent to cancel a running job (a live migration): the
 * handler polls it and aborts. It lives in the host queue's key space, so a per-queue ACL covers it.
 */
export const hostJobCancelKey = (prefix: string, hostId: string, jobId: string): string =>
  `${prefix}:${hostQueueName(hostId)}:carve:cancel:${jobId}`;

/** How often an agent heartbeats, and how long the key lives without a refresh. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_TTL_MS = 30_000;
