/** A job that reached its end, as the process that finalised it saw it. */
export interface TFinishedJob {
  jobId: string;
  kind: string;
  outcome: "succeeded" | "failed";
  /** Job.errorCode of a failed job (AGENT_ERROR, HOST_SILENT, JOB_STUCK); null on success. */
  errorCode: string | null;
  /** finishedAt − createdAt. */
  durationMs: number;
}

/** What one reconciliation of a host's inventory changed in the database. */
export interface TReconciled {
  host: string;
  corrected: number;
  driftOpened: number;
  driftResolved: number;
}

/**
 * Things core reports as they happen, for a process's metrics: core never imports a metrics
 * library, the process that wants numbers (the controller) passes these in. Each is called once per
 * occurrence across all replicas (by whichever process won the conditional update), after commit.
 */
export interface TCoreHooks {
  jobFinished?(job: TFinishedJob): void;
  reconciled?(report: TReconciled): void;
}
