import { randomUUID } from "node:crypto";
import type { Job, Tx } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { parseInput } from "../validation/parse-input.ts";

export const ZDefinePoolInput = z.strictObject({
  pool: z.string({ error: "is required: a pool name or id" }).min(1, "is required: a pool name or id").max(200),
  /** Only on this host (name or id); default every host that sees the pool. */
  host: z.string().min(1).max(100).optional(),
});

const POOL_SELECT = { id: true, name: true, libvirtName: true, kind: true, path: true, sourceHost: true, sourcePath: true } as const;
type TDefinablePool = { id: string; name: string; libvirtName: string; kind: "Dir" | "Netfs"; path: string; sourceHost: string | null; sourcePath: string | null };

/**
 * Records a pool.define job for each given host (inside the caller's transaction): the agent
 * defines, builds, starts and autostarts the pool in libvirt, adopting one with the same target.
 * The caller dispatches the returned jobs after the commit.
 */
export async function recordPoolDefines(tx: Tx, deps: CoreDeps, actor: TActor, pool: TDefinablePool, hosts: { id: string; name: string }[]): Promise<Job[]> {
  const payload: TJobPayload<"pool.define"> = {
    poolId: pool.id,
    name: pool.libvirtName,
    kind: pool.kind === "Netfs" ? "netfs" : "dir",
    path: pool.path,
    ...(pool.kind === "Netfs" && pool.sourceHost && pool.sourcePath ? { source: { host: pool.sourceHost, path: pool.sourcePath } } : {}),
  };
  const jobs: Job[] = [];
  for (const host of hosts) {
    const job = await tx.job.create({
      data: { id: randomUUID(), kind: "pool.define", actorId: actorId(actor), hostId: host.id, request: { payload, poolId: pool.id }, createdAt: deps.now() },
    });
    await recordEvent(tx, { type: "pool.define", actor, hostId: host.id, jobId: job.id, message: `pool ${pool.name} is being defined in libvirt on ${host.name}` });
    jobs.push(job);
  }
  return jobs;
}

/**
 * (Re)defines a storage pool in libvirt on every host that sees it, or on one (admins only): the
 * retry after fixing a mount or export, or after a host joined a shared pool. Returns the jobs to
 * watch; each result makes the pool Up, or Unhealthy with the reason.
 * @throws CarveError POOL_NOT_FOUND, HOST_NOT_FOUND, FORBIDDEN
 */
export async function definePool(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ pool: { id: string; name: string }; jobs: Job[] }> {
  requireAdmin(actor, "define storage pools");
  const data = parseInput(ZDefinePoolInput, input);
  const result = await deps.db.$transaction(async (tx) => {
    const pool = await tx.storagePool.findFirst({
      where: { ...(isUuid(data.pool) ? { id: data.pool } : { name: data.pool }), state: { not: "Removed" } },
      select: { ...POOL_SELECT, hosts: { select: { host: { select: { id: true, name: true } } } } },
    });
    if (!pool) throw new CarveError("POOL_NOT_FOUND", `No storage pool '${data.pool}'. See the pools with 'carve pool list'.`, { fields: [{ field: "pool", message: `'${data.pool}' does not exist` }] });
    const hosts = pool.hosts.map((h) => h.host).filter((h) => !data.host || h.name === data.host || h.id === data.host);
    if (hosts.length === 0) {
      throw new CarveError("HOST_NOT_FOUND", `Pool ${pool.name} is not seen by host '${data.host ?? ""}'; it is seen by ${pool.hosts.map((h) => h.host.name).join(", ") || "no host"}.`, {
        fields: [{ field: "host", message: "does not see this pool" }],
      });
    }
    return { pool: { id: pool.id, name: pool.name }, jobs: await recordPoolDefines(tx, deps, actor, pool, hosts) };
  });
  for (const job of result.jobs) await dispatchJob(deps, job);
  return result;
}
