import { parseArgs } from "node:util";

/** The bench's flags; `npm run bench -- --help` lists them. */
export interface TBenchArgs {
  hosts: number;
  creates: number;
  users: number;
  sweepMs: number;
  agentConcurrency: number;
  /** End-to-end rounds, each on a fresh stack; the median round is printed in full. */
  rounds: number;
  scaleHosts: number;
  scaleVms: number;
  scaleUsers: number;
  placementSequential: number;
  placementConcurrent: number;
  placementBudgetS: number;
  listVms: number;
  listHeavyVms: number;
  listCalls: number;
  skipEndToEnd: boolean;
  skipCeiling: boolean;
  skipPlacement: boolean;
  skipList: boolean;
  /** Skip the end-to-end rounds on a default network (1b: what address management costs). */
  skipNetwork: boolean;
  keepLogs: boolean;
  /** Write a V8 CPU profile of every Node process the bench starts into this directory. */
  cpuProfileDir: string | null;
  redisUrl: string;
}

export const USAGE = `npm run bench -- [flags]

  end to end (N simulated hosts, M concurrent creates through core → BullMQ → agents → controller)
    --hosts N                 simulated hosts, one agent each on a test:/// node   (8)
    --creates M               concurrent createVm calls                            (200)
    --users U                 owners the creates rotate over                       (1)
    --sweep-ms MS             the controller's CARVE_SWEEP_MS                      (2000, its default)
    --agent-concurrency C     the agents' CARVE_AGENT_CONCURRENCY                  (8, its default)
    --rounds R                rounds, each on a fresh stack; the median is shown   (3)
  scale (throwaway PostgreSQL databases seeded with raw SQL)
    --scale-hosts H           hosts for placement                                  (10000)
    --scale-vms V             VMs for placement                                    (100000)
    --scale-users U           users owning them (each with a quota)                (1000)
    --placement-seq N         sequential creates                                   (500)
    --placement-conc N        concurrent creates                                   (200)
    --placement-budget-s S    stop starting sequential creates after S seconds     (45)
    --list-vms V              VMs in the list database                             (10000)
    --list-heavy-vms V        of which owned by one user                           (2000)
    --list-calls N            calls per list case                                  (200)
  parts
    --skip-e2e  --skip-ceiling  --skip-placement  --skip-list
    --skip-network            no end-to-end rounds on a default network (1b)
    --skip-scale              = --skip-placement --skip-list
    --keep-logs               keep var/test-stack/<prefix> (kept anyway when a create fails)
    --cpu-profile DIR         write a .cpuprofile of every Node process it starts into DIR
    --redis-url URL           (CARVE_TEST_REDIS_URL or redis://127.0.0.1:6379)`;

/** A bad flag: printed without a stack trace. */
export class UsageError extends Error {}

export function parseBenchArgs(argv: string[]): TBenchArgs | null {
  try {
    return parseFlags(argv);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // node:util parseArgs throws TypeErrors with codes ERR_PARSE_ARGS_* for unknown or malformed flags.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseFlags(argv: string[]): TBenchArgs | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      hosts: { type: "string" },
      creates: { type: "string" },
      users: { type: "string" },
      "sweep-ms": { type: "string" },
      "agent-concurrency": { type: "string" },
      rounds: { type: "string" },
      "scale-hosts": { type: "string" },
      "scale-vms": { type: "string" },
      "scale-users": { type: "string" },
      "placement-seq": { type: "string" },
      "placement-conc": { type: "string" },
      "placement-budget-s": { type: "string" },
      "list-vms": { type: "string" },
      "list-heavy-vms": { type: "string" },
      "list-calls": { type: "string" },
      "skip-e2e": { type: "boolean" },
      "skip-ceiling": { type: "boolean" },
      "skip-placement": { type: "boolean" },
      "skip-list": { type: "boolean" },
      "skip-network": { type: "boolean" },
      "skip-scale": { type: "boolean" },
      "keep-logs": { type: "boolean" },
      "cpu-profile": { type: "string" },
      "redis-url": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return null;
  const int = (name: keyof typeof values, fallback: number, min = 1): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not ${JSON.stringify(raw)}`);
    return n;
  };
  const args: TBenchArgs = {
    hosts: int("hosts", 8),
    creates: int("creates", 200),
    users: int("users", 1),
    sweepMs: int("sweep-ms", 2000, 100),
    agentConcurrency: int("agent-concurrency", 8),
    rounds: int("rounds", 3),
    scaleHosts: int("scale-hosts", 10_000),
    scaleVms: int("scale-vms", 100_000),
    scaleUsers: int("scale-users", 1000),
    placementSequential: int("placement-seq", 500),
    placementConcurrent: int("placement-conc", 200),
    placementBudgetS: int("placement-budget-s", 45),
    listVms: int("list-vms", 10_000),
    listHeavyVms: int("list-heavy-vms", 2000),
    listCalls: int("list-calls", 200),
    skipEndToEnd: values["skip-e2e"] ?? false,
    skipCeiling: values["skip-ceiling"] ?? false,
    skipPlacement: (values["skip-placement"] ?? false) || (values["skip-scale"] ?? false),
    skipList: (values["skip-list"] ?? false) || (values["skip-scale"] ?? false),
    skipNetwork: values["skip-network"] ?? false,
    keepLogs: values["keep-logs"] ?? false,
    cpuProfileDir: values["cpu-profile"] ?? null,
    redisUrl: values["redis-url"] ?? process.env["CARVE_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379",
  };
  if (args.listHeavyVms >= args.listVms) throw new UsageError("--list-heavy-vms must be smaller than --list-vms");
  // Test-driver pools report 100 GiB and placement keeps 15 % free: 85 one-GiB root disks per host.
  if (args.creates + args.hosts * 2 > args.hosts * 85) throw new UsageError(`--creates ${args.creates} does not fit ${args.hosts} test-driver hosts (85 VMs each, ${args.hosts * 2} taken by the warm-up): add hosts`);
  return args;
}
