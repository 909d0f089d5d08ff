import type { Server } from "node:http";
import { readHostLoad, serveMetrics, type CoreDeps, type TCoreHooks } from "@carve/core";
import type { Logger } from "pino";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Job durations (created → finished) run from sub-second test-driver jobs to long template copies. */
const DURATION_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const MIB = 1024 * 1024;

export interface TControllerMetrics {
  /** Pass to createCore: core reports finished jobs and reconciliations through these. */
  hooks: TCoreHooks;
  /** The exposition text; host gauges are read from the database and queues first. */
  render(core: CoreDeps): Promise<string>;
  /** Serves `GET /metrics` to callers with `token` on `port` (0: any free port, logged), with the process's default metrics too. */
  serve(core: CoreDeps, port: number, token: string, log: Logger): Promise<Server>;
}

/**
 * The controller's Prometheus metrics. Counters and the histogram count what this process
 * finalised (sum them over replicas); host and queue gauges are read at scrape time, so every
 * replica reports the same fleet.
 */
export function createControllerMetrics(): TControllerMetrics {
  const registry = new Registry();
  const jobs = new Counter({
    name: "carve_jobs_finished_total",
    help: "Jobs finalised by this controller, by kind, outcome and error code",
    labelNames: ["kind", "outcome", "code"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "carve_job_duration_seconds",
    help: "Time from a job's creation to its end",
    labelNames: ["kind", "outcome"],
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  });
  const corrections = new Counter({
    name: "carve_reconcile_corrections_total",
    help: "Changes reconciliation made to match what hosts report: vm (a VM's state), drift_opened, drift_resolved",
    labelNames: ["host", "kind"],
    registers: [registry],
  });
  const gauge = (name: string, help: string, labelNames: string[] = ["host"]) => new Gauge({ name, help, labelNames, registers: [registry] });
  const queue = gauge("carve_queue_jobs", "Jobs on a host's queue: waiting (incl. delayed retries) or active", ["host", "state"]);
  const up = gauge("carve_host_up", "1 when the host is Up, 0 otherwise", ["host", "state"]);
  const vcpusCapacity = gauge("carve_host_vcpus_capacity", "vCPUs placement may promise on the host (CPUs × overcommit)");
  const vcpusAllocated = gauge("carve_host_vcpus_allocated", "vCPUs reserved by VMs on the host");
  const memoryCapacity = gauge("carve_host_memory_capacity_bytes", "Memory placement may promise on the host (memory × overcommit)");
  const memoryAllocated = gauge("carve_host_memory_allocated_bytes", "Memory reserved by VMs on the host");
  const hostGauges = [queue, up, vcpusCapacity, vcpusAllocated, memoryCapacity, memoryAllocated];

  const hooks: TCoreHooks = {
    jobFinished: (job) => {
      jobs.inc({ kind: job.kind, outcome: job.outcome, code: job.errorCode ?? "" });
      duration.observe({ kind: job.kind, outcome: job.outcome }, job.durationMs / 1000);
    },
    reconciled: (report) => {
      corrections.inc({ host: report.host, kind: "vm" }, report.corrected);
      corrections.inc({ host: report.host, kind: "drift_opened" }, report.driftOpened);
      corrections.inc({ host: report.host, kind: "drift_resolved" }, report.driftResolved);
    },
  };

  const render = async (core: CoreDeps): Promise<string> => {
    const hosts = await readHostLoad(core);
    // Reset first: a removed host's series disappear instead of freezing at their last value.
    for (const g of hostGauges) g.reset();
    for (const h of hosts) {
      up.set({ host: h.name, state: h.state }, h.state === "Up" ? 1 : 0);
      vcpusCapacity.set({ host: h.name }, h.vcpusCapacity);
      vcpusAllocated.set({ host: h.name }, h.vcpusAllocated);
      memoryCapacity.set({ host: h.name }, h.memoryCapacityMiB * MIB);
      memoryAllocated.set({ host: h.name }, h.memoryAllocatedMiB * MIB);
      if (h.queue) {
        queue.set({ host: h.name, state: "waiting" }, h.queue.waiting);
        queue.set({ host: h.name, state: "active" }, h.queue.active);
      }
    }
    return registry.metrics();
  };

  return {
    hooks,
    render,
    serve: (core, port, token, log) => {
      collectDefaultMetrics({ register: registry });
      return serveMetrics({ processName: "controller", port, token, contentType: registry.contentType, render: () => render(core), log });
    },
  };
}
