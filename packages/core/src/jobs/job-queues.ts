import type { THeartbeat, TJobEnvelope, TJobName, TJobProgress } from "@carve/protocol";

export type { THeartbeat };

/** What a host queue says about one job. */
export type TQueueOutcome =
  | { state: "completed"; result: unknown }
  | { state: "failed"; reason: string; attemptsMade: number }
  | { state: "pending"; progress: TJobProgress | null; attemptsMade: number; active: boolean }
  | { state: "missing" };

/** How many jobs wait on a host's queue, and how many its agent is running. */
export interface TQueueDepth {
  /** Waiting for the agent (including prioritised and backing-off retries). */
  waiting: number;
  active: number;
}

export interface TQueueListener {
  onProgress(jobId: string, progress: unknown): void;
  /** The job completed; its result comes with the notification. */
  onCompleted(jobId: string, result: unknown): void;
  /** The job reached a final state otherwise (failed with no retries left). */
  onSettled(jobId: string): void;
}

/**
 * The control plane's view of the per-host queues. Core owns it so that no app talks to BullMQ
 * directly; the controller uses it to learn results, the use-cases to enqueue work.
 */
export interface JobQueues {
  /**
   * Sends jobs to one host's queue in one round trip; a job id already there is left as it is.
   * `transient`: a job with no Job row (console.attach): one attempt, removed once it ended.
   */
  enqueue(hostId: string, jobs: { name: TJobName; envelope: TJobEnvelope; transient?: boolean }[]): Promise<void>;
  outcome(hostId: string, jobId: string): Promise<TQueueOutcome>;
  heartbeat(hostId: string): Promise<THeartbeat | null>;
  /**
   * Takes an abandoned job off its host's queue so a returning agent does not run it late. False
   * when it could not (an agent still holds it); the job may then still run, which is harmless:
   * its late result is ignored and reconciliation reads the outcome from the hypervisor.
   */
  discard(hostId: string, jobId: string): Promise<boolean>;
  /** Jobs waiting on and running from one host's queue (the controller's /metrics). */
  depth(hostId: string): Promise<TQueueDepth>;
  /**
   * Tells one host's agent which log level to run at (it reads it every heartbeat); null takes the
   * word back, so the agent returns to its own LOG_LEVEL.
   */
  setAgentLogLevel(hostId: string, level: string | null): Promise<void>;
  /**
   * Asks the agent running a job to cancel it (a live migration polls for this); the request
   * expires on its own after a day. Jobs that do not poll finish as they would have.
   */
  requestCancel(hostId: string, jobId: string): Promise<void>;
  /**
   * Remembers `key` (under the queue prefix) for `ttlMs`: true when it was not remembered yet
   * (Redis SET NX), false while it is. Front doors use it to answer a signed request only once.
   */
  remember(key: string, ttlMs: number): Promise<boolean>;
  /** Live notifications for one host's queue (jobs with a Job row only: never transient ones); returns an unsubscribe function. */
  listen(hostId: string, listener: TQueueListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
