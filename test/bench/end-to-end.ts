import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { createNetwork, createVm, type TActor } from "@carve/core";
import { Stack } from "../lib/stack/stack.ts";
import { addTestHosts } from "../lib/stack/test-hosts.ts";
import { createUser } from "../lib/stack/users.ts";
import { interrupted, onCleanup } from "./cleanup.ts";
import { cpuMeter, type TCpuShare } from "./cpu.ts";
import { deleteRedisKeys } from "./redis-keys.ts";
import { summarize, type TSummary } from "./stats.ts";

export interface TEndToEndOptions {
  redisUrl: string;
  hosts: number;
  creates: number;
  /** Creates are spread round-robin over this many users (each user's creates serialise on its quota lock). */
  users: number;
  /** The controller's CARVE_SWEEP_MS. */
  sweepMs: number;
  keepLogs: boolean;
  /**
   * Give every VM a NIC on a Managed default network (a /16 on every host): Carve's address
   * management in createVm's transaction, and the agents' DHCP/DNS entries (on test:/// nodes).
   */
  network?: boolean;
}

export interface TEndToEnd {
  succeeded: number;
  failed: string[];
  /** VMs per second: creates / (last Job.finishedAt − first createVm call). */
  perSecond: number;
  wallMs: number;
  /** createVm call start → Job.finishedAt (the controller's commit of Succeeded + VM Running). */
  latency: TSummary;
  /** createVm call start → it returned (the caller's wait). */
  api: TSummary;
  /** createVm call start → Job.createdAt (validation, quota lock, placement, reservation, inside the transaction). */
  toRecorded: TSummary;
  /**
   * Job.createdAt → Job.finishedAt (commit, enqueue, the agent's work, the result to the controller,
   * finalisation). Not split at Job.startedAt: a job done within the agent's progress interval
   * reports no progress, and its startedAt is its finish.
   */
  toFinished: TSummary;
  /** Jobs the controller finalised in its periodic sweep rather than from its live listener. */
  finalisedBySweep: number;
  /** How the measured VMs spread over the hosts (placement policy under concurrency). */
  perHost: { hosts: number; min: number; max: number };
  /** Where the machine's CPU went from the first create to the last job's end. */
  cpu: TCpuShare;
  /** The same, for 3 s of idling just before (heartbeats, controller rounds, blocking reads, other sessions). */
  idleCpu: TCpuShare;
  /** The first burst of as many creates, on the freshly started processes (not measured above). */
  cold: { perSecond: number; latency: TSummary; failed: number };
  logDir: string;
}

/**
 * N simulated hosts (agents on test:/// nodes, as child processes) and M concurrent creates through
 * core → BullMQ → agents → controller, on a fresh database and queue prefix: a first burst of M on
 * the fresh processes (the cold start), then the measured burst of M. Latencies come from the
 * timestamps the system records on each Job row (no polling bias); the bench polls only to learn
 * that every job has ended.
 */
export async function measureEndToEnd(options: TEndToEndOptions): Promise<TEndToEnd> {
  const stack = new Stack({ redisUrl: options.redisUrl, sweepMs: options.sweepMs });
  let failed = true; // until every create reached Running: the logs are then worth keeping
  const keep = () => options.keepLogs || (failed && !interrupted());
  onCleanup("remove the end-to-end run's directory", () => (keep() ? Promise.resolve() : rm(stack.dir, { recursive: true, force: true })));
  onCleanup(`delete Redis keys ${stack.prefix}:*`, () => deleteRedisKeys(options.redisUrl, stack.prefix));
  onCleanup("stop the end-to-end stack and drop its database", () => stack.stop());
  await stack.init();

  const admin = await createUser(stack.core, "bench-admin", "Admin");
  const users: TActor[] = [];
  for (let i = 0; i < options.users; i++) users.push(await createUser(stack.core, `bench-${i + 1}`, "User"));
  await stack.startController();
  // Each host takes its share of both bursts with room to spare (vCPUs, memory); pools hold 85 GiB.
  const hosts = await addTestHosts(stack, admin, { count: options.hosts, cpus: Math.max(64, 2 * options.creates), memoryMiB: Math.max(65_536, 2 * options.creates * 1024) });
  if (options.network) {
    const range = { cidr: "10.96.0.0/16", gateway: "10.96.0.1", rangeStart: "10.96.0.10", rangeEnd: "10.96.255.250" };
    await createNetwork(stack.core, admin, { name: "bench-lan", kind: "Managed", ...range, dnsDomain: "bench.test", hosts: hosts.map((h) => h.name), isDefault: true });
  }

  // The first burst on fresh processes (not the measured one): like the ceiling's warm-up round trips,
  // it loads every code path, connection pool and host queue once and lets the JIT compile them, as
  // in a long-running deployment. Its figures are printed as the cold start.
  const cold = await summarizeBurst(stack, await runBurst(stack, { prefix: "warm", creates: options.creates, users, admin }));
  const sweptBefore = await sweepFinalised(stack);

  const roots = () => ({
    "bench process (core's createVm)": [process.pid],
    controller: stack.controller?.child.pid ? [stack.controller.child.pid] : [],
    agents: [...stack.agents.values()].flatMap((a) => (a.child.pid ? [a.child.pid] : [])),
  });
  const idleMeter = cpuMeter(roots);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idleCpu = idleMeter.stop();
  const meter = cpuMeter(roots);
  const calls = await runBurst(stack, { prefix: "vm", creates: options.creates, users, admin });
  const cpu = meter.stop();
  const burst = await summarizeBurst(stack, calls);

  const result: TEndToEnd = {
    ...burst,
    finalisedBySweep: (await sweepFinalised(stack)) - sweptBefore,
    cpu,
    idleCpu,
    cold: { perSecond: cold.perSecond, latency: cold.latency, failed: cold.failed.length },
    logDir: stack.dir,
  };
  failed = burst.failed.length > 0 || cold.failed.length > 0;
  return result;
}

type TBurst = Pick<TEndToEnd, "succeeded" | "failed" | "perSecond" | "wallMs" | "latency" | "api" | "toRecorded" | "toFinished" | "perHost">;

/** What the calls of a burst saw: when each started and returned, its job, the failures. */
type TBurstCalls = { started: number[]; returned: number[]; jobIds: string[]; errors: string[] };

/** `creates` concurrent createVm calls named `<prefix>-<i>`, by the users in turn; waits until every job ended. */
async function runBurst(stack: Stack, options: { prefix: string; creates: number; users: TActor[]; admin: TActor }): Promise<TBurstCalls> {
  const { creates, users, admin } = options;
  const started: number[] = [];
  const returned: number[] = [];
  const jobIds: string[] = [];
  const errors: string[] = [];
  await Promise.all(
    Array.from({ length: creates }, async (_, i) => {
      const actor = users[i % users.length] ?? admin;
      started[i] = Date.now();
      try {
        const { job } = await createVm(stack.core, actor, { name: `${options.prefix}-${i}`, template: "tiny", offering: "small" });
        jobIds[i] = job.id;
      } catch (error) {
        errors.push(`create ${options.prefix}-${i}: ${error instanceof Error ? error.message : String(error)}`);
      }
      returned[i] = Date.now();
    }),
  );
  await waitUntilEnded(stack, jobIds.filter(Boolean), 120_000);
  return { started, returned, jobIds, errors };
}

/** A burst's figures, from the timestamps on its Job rows. */
async function summarizeBurst(stack: Stack, { started, returned, jobIds, errors }: TBurstCalls): Promise<TBurst> {
  const jobs = await stack.core.db.job.findMany({
    where: { id: { in: jobIds.filter(Boolean) } },
    select: { id: true, hostId: true, state: true, errorMessage: true, createdAt: true, finishedAt: true, vm: { select: { state: true } } },
  });
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const latency: number[] = [];
  const api: number[] = [];
  const toRecorded: number[] = [];
  const toFinished: number[] = [];
  let lastFinished = 0;
  for (let i = 0; i < started.length; i++) {
    const t0 = started[i] ?? 0;
    api.push((returned[i] ?? t0) - t0);
    const job = byId.get(jobIds[i] ?? "");
    if (!job) continue;
    if (job.state !== "Succeeded" || job.vm?.state !== "Running" || !job.finishedAt) {
      errors.push(`job ${job.id}: ${job.state}, VM ${job.vm?.state ?? "?"}${job.errorMessage ? `: ${job.errorMessage}` : ""}`);
      continue;
    }
    const finished = job.finishedAt.getTime();
    lastFinished = Math.max(lastFinished, finished);
    latency.push(finished - t0);
    toRecorded.push(job.createdAt.getTime() - t0);
    toFinished.push(finished - job.createdAt.getTime());
  }
  const wallMs = lastFinished - Math.min(...started);
  return {
    succeeded: latency.length,
    failed: errors,
    perSecond: latency.length / (wallMs / 1000),
    wallMs,
    latency: summarize(latency),
    api: summarize(api),
    toRecorded: summarize(toRecorded),
    toFinished: summarize(toFinished),
    perHost: spreadOf(jobs.map((j) => j.hostId)),
  };
}

function spreadOf(hostIds: (string | null)[]): TEndToEnd["perHost"] {
  const counts = new Map<string, number>();
  for (const id of hostIds) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  const values = [...counts.values()];
  return { hosts: counts.size, min: values.length ? Math.min(...values) : 0, max: values.length ? Math.max(...values) : 0 };
}

/**
 * Polls one cheap count until none of the jobs is Queued or Running. The ids go as ONE array
 * parameter: Prisma renders an `in` list of hundreds of parameters at a CPU cost that, every 50 ms,
 * would take a share of this process from the creates it measures.
 */
async function waitUntilEnded(stack: Stack, jobIds: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await stack.core.db.$queryRaw<{ open: number }[]>`
      SELECT count(*)::int AS open FROM "Job" WHERE id = ANY(${jobIds}::uuid[]) AND state IN ('Queued', 'Running')`;
    const open = row?.open ?? 0;
    if (open === 0) return;
    if (Date.now() > deadline) throw new Error(`${open} of ${jobIds.length} jobs still open after ${timeoutMs} ms; logs in ${stack.dir}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many jobs the controller's periodic sweep has finalised so far, from its log. */
async function sweepFinalised(stack: Stack): Promise<number> {
  const text = await readFile(join(stack.dir, "controller.log"), "utf8").catch(() => "");
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.includes("sweep settled jobs")) continue;
    try {
      total += Number((JSON.parse(line) as { report?: { finalised?: number } }).report?.finalised ?? 0);
    } catch {
      // not a JSON log line
    }
  }
  return total;
}
