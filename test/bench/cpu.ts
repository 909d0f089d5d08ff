import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

/** CPU time per process (Linux /proc), to see where a run's cores went. */
type TProc = { comm: string; ppid: number; ticks: number };

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function readProcs(): Map<number, TProc> {
  const procs = new Map<number, TProc>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // comm may hold spaces and parentheses: the fields after it start at the last ")".
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      procs.set(Number(entry), { comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return procs;
}

function busyTicks(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
}

export interface TCpuShare {
  /** Seconds of CPU by group, over the interval. */
  seconds: Record<string, number>;
  wallSeconds: number;
  cores: number;
}

/**
 * Starts counting; `stop()` returns CPU seconds per group: processes under the given roots (by pid,
 * children included), PostgreSQL, Redis, everything else on the machine, and idle.
 */
export function cpuMeter(roots: () => Record<string, number[]>) {
  const before = readProcs();
  const busyBefore = busyTicks();
  const started = performance.now();
  return {
    stop(): TCpuShare {
      const after = readProcs();
      const busy = busyTicks() - busyBefore;
      const wallSeconds = (performance.now() - started) / 1000;
      const rootOf = new Map<number, string>();
      for (const [group, pids] of Object.entries(roots())) for (const pid of pids) rootOf.set(pid, group);
      const groupOf = (pid: number): string => {
        const proc = after.get(pid);
        if (proc?.comm === "postgres") return "postgres";
        if (proc?.comm === "redis-server") return "redis";
        if (proc?.comm === "virsh") return "virsh (agents' storage sessions)";
        for (let p = pid, depth = 0; p > 1 && depth < 20; depth++) {
          const group = rootOf.get(p);
          if (group) return group;
          p = after.get(p)?.ppid ?? 0;
        }
        return "other processes";
      };
      const seconds: Record<string, number> = {};
      let counted = 0;
      for (const [pid, proc] of after) {
        const ticks = proc.ticks - (before.get(pid)?.ticks ?? 0);
        if (ticks <= 0) continue;
        const group = groupOf(pid);
        seconds[group] = (seconds[group] ?? 0) + ticks / TICKS_PER_SECOND;
        counted += ticks;
      }
      // Processes that ended during the interval are only in the machine's total.
      seconds["other processes"] = (seconds["other processes"] ?? 0) + Math.max(0, busy - counted) / TICKS_PER_SECOND;
      const cores = cpus().length;
      seconds["idle"] = Math.max(0, wallSeconds * cores - busy / TICKS_PER_SECOND);
      return { seconds, wallSeconds, cores };
    },
  };
}
