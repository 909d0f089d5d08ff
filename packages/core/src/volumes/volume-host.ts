import type { Tx } from "@carve/db";
import { CarveError } from "../errors/index.ts";

/**
 * The host whose agent works on a volume that no VM holds: a local pool's own host, or an Up host
 * that sees the shared pool. Refused when none is Up.
 */
export async function hostForPool(tx: Tx, pool: { id: string; name: string; hostId: string | null }): Promise<string> {
  const hosts = await tx.poolHost.findMany({
    where: { poolId: pool.id, ...(pool.hostId ? { hostId: pool.hostId } : {}) },
    select: { host: { select: { id: true, name: true, state: true } } },
    orderBy: { host: { name: "asc" } },
  });
  const up = hosts.find((h) => h.host.state === "Up");
  if (up) return up.host.id;
  const seen = hosts.map((h) => `${h.host.name} is ${h.host.state}`).join(", ") || "no host sees it";
  throw new CarveError("INVALID_STATE", `No host can reach pool ${pool.name} now (${seen}). Try again when its host is Up, or ask an admin.`);
}
