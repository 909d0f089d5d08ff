import { PROTOCOL_VERSION, type TJobEnvelope, type TJobName } from "@carve/protocol";
import type { JobQueues, THeartbeat, TQueueDepth, TQueueOutcome } from "../jobs/job-queues.ts";

interface TFakeJob {
  hostId: string;
  name: TJobName;
  envelope: TJobEnvelope;
  outcome: TQueueOutcome;
}

/**
 * An in-memory JobQueues for core's own tests: it records what core sends and lets the test play
 * the agent (complete, fail, report progress) without Redis. The real one is tested in test/.
 */
export class FakeJobQueues implements JobQueues {
  readonly jobs = new Map<string, TFakeJob>();
  readonly heartbeats = new Map<string, THeartbeat>();
  /** What setAgentLogLevel told each host (absent: nothing, or taken back). */
  readonly agentLogLevels = new Map<string, string>();
  /** When set, enqueue fails as it does while Redis is away. */
  offline = false;

  async enqueue(hostId: string, jobs: { name: TJobName; envelope: TJobEnvelope }[]): Promise<void> {
    if (this.offline) throw new Error("Redis is unreachable (fake)");
    for (const { name, envelope } of jobs) {
      if (this.jobs.has(envelope.jobId)) continue;
      this.jobs.set(envelope.jobId, { hostId, name, envelope, outcome: { state: "pending", progress: null, attemptsMade: 0, active: false } });
    }
  }

  async outcome(_hostId: string, jobId: string): Promise<TQueueOutcome> {
    return this.jobs.get(jobId)?.outcome ?? { state: "missing" };
  }

  async heartbeat(hostId: string): Promise<THeartbeat | null> {
    return this.heartbeats.get(hostId) ?? null;
  }

  /** Plays a host's agent beating at `at`: an 8-CPU, 16 GiB host with no pools, plus `more`. */
  beat(hostId: string, at: Date, more: Partial<THeartbeat> = {}): void {
    this.heartbeats.set(hostId, { at: at.toISOString(), hostname: "h", cpus: 8, memoryMiB: 16384, agentVersion: "test", protocolVersion: PROTOCOL_VERSION, pools: [], ...more });
  }

  async discard(_hostId: string, jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (job?.outcome.state === "pending" && job.outcome.active) return false;
    this.jobs.delete(jobId);
    return true;
  }

  async depth(hostId: string): Promise<TQueueDepth> {
    const pending = [...this.jobs.values()].filter((j) => j.hostId === hostId && j.outcome.state === "pending");
    const active = pending.filter((j) => j.outcome.state === "pending" && j.outcome.active).length;
    return { waiting: pending.length - active, active };
  }

  async setAgentLogLevel(hostId: string, level: string | null): Promise<void> {
    if (this.offline) throw new Error("Redis is unreachable (fake)");
    if (level === null) this.agentLogLevels.delete(hostId);
    else this.agentLogLevels.set(hostId, level);
  }

  /** Jobs whose cancellation was asked for (requestCancel). */
  readonly cancelRequests = new Set<string>();

  async requestCancel(_hostId: string, jobId: string): Promise<void> {
    if (this.offline) throw new Error("Redis is unreachable (fake)");
    this.cancelRequests.add(jobId);
  }

  /** Keys remembered (remember), with the time to live asked for; they never expire here. */
  readonly remembered = new Map<string, number>();

  async remember(key: string, ttlMs: number): Promise<boolean> {
    if (this.offline) throw new Error("Redis is unreachable (fake)");
    if (this.remembered.has(key)) return false;
    this.remembered.set(key, ttlMs);
    return true;
  }

  async listen(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  async close(): Promise<void> {}

  /** Plays the agent: the job ends with this result or failure reason. */
  settle(jobId: string, outcome: { result: unknown } | { reason: string }): void {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`fake queue: no job ${jobId}`);
    job.outcome = "result" in outcome ? { state: "completed", result: outcome.result } : { state: "failed", reason: outcome.reason, attemptsMade: 1 };
  }

  /** Forgets a job, as a Redis that lost it would. */
  lose(jobId: string): void {
    this.jobs.delete(jobId);
  }

  byName(name: TJobName): TFakeJob[] {
    return [...this.jobs.values()].filter((j) => j.name === name);
  }
}
