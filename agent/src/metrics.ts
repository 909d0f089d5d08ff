import type { Server } from "node:http";
import { serveMetrics } from "@carve/protocol";
import { UnrecoverableError } from "bullmq";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { HypervisorError } from "./hypervisor/errors.ts";
import type { THypervisor } from "./hypervisor/hypervisor.ts";
import type { Logger } from "./logger.ts";

/** Handler times run from milliseconds (test driver) to a long template copy. */
const DURATION_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** How one attempt at a job ended: succeeded, failed for good, or an error BullMQ retries while attempts remain. */
export type TAttemptOutcome = "succeeded" | "failed" | "error";

/** The agent's Prometheus metrics; one instance per agent (tests run several in one process). */
export interface TAgentMetrics {
  /** Runs one attempt at a job, counting and timing it by job name and outcome. */
  observeJob<T>(job: string, attempt: () => Promise<T>): Promise<T>;
  /** The same hypervisor, counting every call that fails with a HypervisorError. */
  instrument(hypervisor: THypervisor): THypervisor;
  /** The exposition text. */
  render(): Promise<string>;
  /** Serves `GET /metrics` to callers with `token` on `port` (0: any free port, logged), with the process's default metrics too. */
  serve(port: number, token: string, log: Logger): Promise<Server>;
}

export function createAgentMetrics(): TAgentMetrics {
  const registry = new Registry();
  const jobs = new Counter({
    name: "carve_agent_jobs_total",
    help: "Job attempts handled by this agent, by job name and outcome (succeeded, failed for good, error: retried while attempts remain)",
    labelNames: ["job", "outcome"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "carve_agent_job_duration_seconds",
    help: "Time this agent spent on one attempt at a job",
    labelNames: ["job", "outcome"],
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  });
  const libvirtErrors = new Counter({
    name: "carve_agent_libvirt_errors_total",
    help: "Hypervisor calls that failed, by call and whether retrying can help",
    labelNames: ["call", "transient"],
    registers: [registry],
  });

  return {
    async observeJob(job, attempt) {
      const stop = duration.startTimer({ job });
      let outcome: TAttemptOutcome = "error";
      try {
        const result = await attempt();
        outcome = "succeeded";
        return result;
      } catch (error) {
        outcome = attemptOutcome(error);
        throw error;
      } finally {
        stop({ outcome });
        jobs.inc({ job, outcome });
      }
    },
    instrument(hypervisor) {
      return new Proxy(hypervisor, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            const returned: unknown = value.apply(target, args);
            if (!(returned instanceof Promise)) return returned;
            return returned.catch((error: unknown) => {
              if (error instanceof HypervisorError) libvirtErrors.inc({ call: String(property), transient: String(error.transient) });
              throw error;
            });
          };
        },
      });
    },
    render: () => registry.metrics(),
    serve(port, token, log) {
      collectDefaultMetrics({ register: registry });
      return serveMetrics({ processName: "agent", port, token, contentType: registry.contentType, render: () => registry.metrics(), log });
    },
  };
}

/** What BullMQ does with a failed attempt: UnrecoverableError fails the job at once, anything else is retried. */
function attemptOutcome(error: unknown): TAttemptOutcome {
  return error instanceof UnrecoverableError ? "failed" : "error";
}
