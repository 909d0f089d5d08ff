import { createVm, placementRequest, placeVm, readPlacementSettings, reserveBestFit, type CoreDeps } from "@carve/core";
import { FakeJobQueues } from "@carve/core/testing";
import { pino } from "pino";
import { profiled, QueryProfile } from "./query-profile.ts";
import type { TScaleDb } from "./scale-db.ts";
import { summarize, timeEach, type TSummary } from "./stats.ts";

export interface TPlacementOptions {
  sequential: number;
  concurrent: number;
  /** Distinct users the creates rotate over (each create locks its owner's row for the quota check). */
  users: number;
  hosts: number;
  /** No new sequential create starts after this long (at 10,000 hosts a create can take a second). */
  budgetMs: number;
}

export interface TPlacementRun {
  /** Creates asked for; latency.n (successes) + failures may be fewer when the time budget ran out. */
  asked: number;
  latency: TSummary;
  wallMs: number;
  /** Failed creates, counted by message (a failure's time is not in `latency`). */
  failures: Map<string, number>;
  /** The costliest operations per create, as core's client saw them. */
  queries: { name: string; perCreateMs: number; meanMs: number; calls: number }[];
}

export interface TPlacement {
  /** Placement + reservation alone: the ranking query and the conditional reservation, in a transaction. */
  step: { sequential: TPlacementRun; concurrent: TPlacementRun };
  /** The whole createVm around it. */
  sequential: TPlacementRun;
  concurrent: TPlacementRun;
  /** placeVm alone (pure CPU) over a snapshot of `hosts` hosts. */
  placeVmCpu: TSummary;
}

/**
 * Placement + reservation against the seeded fleet, twice: the step alone (core's reserveBestFit in
 * a transaction: the ranking query over every host and pool, then the conditional reservation on
 * the best that fits; committed, so the fleet fills as it would), and as users get it inside
 * core's createVm (validation, quota check, the step, the VM/volume/job/event rows, commit), with
 * FakeJobQueues so no agent is needed (enqueueing is an in-memory no-op).
 */
export async function measurePlacement(scale: TScaleDb, options: TPlacementOptions): Promise<TPlacement> {
  const profile = new QueryProfile();
  const deps: CoreDeps = { db: profiled(scale.db, profile), queues: new FakeJobQueues(), log: pino({ level: "silent" }), now: () => new Date() };
  const actors = await Promise.all(Array.from({ length: options.users }, (_, i) => scale.actor(`user-${String(i).padStart(5, "0")}`)));
  const create = (label: string) => async (i: number) => {
    const actor = actors[i % actors.length];
    if (!actor) throw new Error("no actor");
    await createVm(deps, actor, { name: `${label}-${i}`, template: "tiny", offering: "small" });
  };

  const template = await scale.db.template.findUniqueOrThrow({ where: { name: "tiny" }, select: { id: true } });
  const offering = await scale.db.serviceOffering.findUniqueOrThrow({ where: { name: "small" } });
  const request = placementRequest(offering, offering.rootDiskGiB, await readPlacementSettings(scale.db));
  const step = () => async () => {
    const placed = await deps.db.$transaction((tx) => reserveBestFit(tx, template.id, request));
    if (!placed) throw new Error("nothing fits");
  };

  await timeEach(5, 1, create("warm")); // connections, query plans, JIT
  await timeEach(5, 1, step());

  const run = async (label: string, count: number, concurrency: number, deadline = Infinity, attempt: (i: number) => Promise<void> = create(label)): Promise<TPlacementRun> => {
    profile.reset();
    const failures = new Map<string, number>();
    const ok: number[] = [];
    const start = performance.now();
    await timeEach(
      count,
      concurrency,
      async (i) => {
        const t0 = performance.now();
        try {
          await attempt(i);
          ok.push(performance.now() - t0);
        } catch (error) {
          const message = (error instanceof Error ? error.message : String(error)).slice(0, 120);
          failures.set(message, (failures.get(message) ?? 0) + 1);
        }
      },
      deadline,
    );
    const wallMs = performance.now() - start;
    const done = ok.length + [...failures.values()].reduce((a, b) => a + b, 0);
    const queries = profile.top(5).map((q) => ({ name: q.name, perCreateMs: q.totalMs / Math.max(done, 1), meanMs: q.meanMs, calls: q.calls }));
    return { asked: count, latency: summarize(ok), wallMs, failures, queries };
  };
  const stepSequential = await run("step-seq", options.sequential, 1, performance.now() + options.budgetMs, step());
  const stepConcurrent = await run("step-conc", options.concurrent, options.concurrent, Infinity, step());
  const sequential = await run("seq", options.sequential, 1, performance.now() + options.budgetMs);
  const concurrent = await run("conc", options.concurrent, options.concurrent);

  return { step: { sequential: stepSequential, concurrent: stepConcurrent }, sequential, concurrent, placeVmCpu: placeVmCpu(options.hosts) };
}

type TSnapshot = Parameters<typeof placeVm>[0];
type TRequest = Parameters<typeof placeVm>[1];

/** placeVm over a synthetic snapshot shaped like the seeded fleet: the JavaScript share of placement. */
function placeVmCpu(hosts: number): TSummary {
  const GIB = 1024n ** 3n;
  const snapshot: TSnapshot = Array.from({ length: hosts }, (_, i) => ({
    id: `h${i}`,
    name: `host-${String(i).padStart(5, "0")}`,
    state: "Up",
    tags: [],
    cpus: 64,
    memoryMiB: 262_144,
    cpuOvercommit: 1,
    memOvercommit: 1,
    vcpusAllocated: 10 + (i % 7),
    memMiBAllocated: (10 + (i % 7)) * 512,
    pools: [
      { id: `p${i}`, name: `pool-${i}`, scope: "Local", state: "Up", stateReason: null, tags: [], capacityBytes: 10_000n * GIB, reservedBytes: 10n * GIB, capacityReported: true, hasTemplate: true },
    ],
  }));
  const request: TRequest = { vcpus: 1, memoryMiB: 512, diskGiB: 1, hostTags: [], storageTags: [], scope: null, policy: "spread", poolThreshold: 0.85 };
  const durations: number[] = [];
  for (let i = 0; i < 50; i++) {
    const start = performance.now();
    placeVm(snapshot, request);
    durations.push(performance.now() - start);
  }
  return summarize(durations.slice(10));
}
