import type { TJoinPool, TJoinPoolOutcome } from "@carve/protocol";

/** A pool Carve has registered for the joining host (local to it, or shared and seen by it). */
export interface TRegisteredPool {
  id: string;
  name: string;
  libvirtName: string;
  path: string;
  scope: "Local" | "Shared";
}

/** One reported pool's fate, with what to change on the registered pool it matched. */
export type TPoolMatch = TJoinPoolOutcome & {
  report: TJoinPool;
  /** The registered pool it matched. */
  poolId: string | null;
  /** Set when a local pool's libvirt name must follow what libvirt calls that directory now. */
  renameTo: string | null;
};

/**
 * Matches what a joining host's libvirt defines against the pools Carve has for it: by target path
 * first (a pool re-defined under another name is still the same directory), then by libvirt name.
 * Nothing is refused: a local pool found under a new libvirt name is adopted under that name; a
 * reported pool Carve does not know is listed with the `carve pool add` command that registers it.
 */
export function matchJoinPools(reported: readonly TJoinPool[], registered: readonly TRegisteredPool[], hostName: string) {
  const unmatched = new Map(registered.map((pool) => [pool.id, pool]));
  const take = (predicate: (pool: TRegisteredPool) => boolean): TRegisteredPool | null => {
    const pool = [...unmatched.values()].find(predicate) ?? null;
    if (pool) unmatched.delete(pool.id);
    return pool;
  };
  const matches: TPoolMatch[] = [];
  // Path matches first over all reports, so a name match never steals a pool another report owns by path.
  const byPath = new Map<TJoinPool, TRegisteredPool>();
  for (const report of reported) {
    const pool = report.path === null ? null : take((p) => p.path === report.path && (p.scope === "Local" || p.libvirtName === report.name));
    if (pool) byPath.set(report, pool);
  }
  for (const report of reported) {
    const pool = byPath.get(report) ?? take((p) => p.libvirtName === report.name);
    if (pool) {
      const renameTo = pool.libvirtName === report.name ? null : report.name;
      const hint = renameTo ? `libvirt now calls directory ${pool.path} '${report.name}' (was '${pool.libvirtName}'): adopted under the new name` : null;
      matches.push({ libvirtName: report.name, path: report.path, outcome: "linked", pool: pool.name, hint, report, poolId: pool.id, renameTo });
      continue;
    }
    const path = report.path ?? "PATH";
    matches.push({
      libvirtName: report.name,
      path: report.path,
      outcome: "unknown",
      pool: null,
      hint: `not registered in Carve: 'carve pool add NAME --host ${hostName} --libvirt-name ${report.name} --path ${path}' makes it usable`,
      report,
      poolId: null,
      renameTo: null,
    });
  }
  const missing = [...unmatched.values()].map((p) => ({ pool: p.name, libvirtName: p.libvirtName, path: p.path }));
  return { matches, missing };
}
