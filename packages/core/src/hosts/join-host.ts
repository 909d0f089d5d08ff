import { randomBytes } from "node:crypto";
import type { Tx } from "@carve/db";
import { PROTOCOL_VERSION, ZJoinRequest, type TJoinGrant } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { sha256 } from "../identity/api-key-format.ts";
import { parseInput } from "../validation/parse-input.ts";
import { LIBVIRT_URI } from "./add-host.ts";
import { joinTokenHash, joinTokenRefusal } from "./join-token.ts";
import { matchJoinPools, type TPoolMatch } from "./match-join-pools.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { recordPoolDefines } from "../pools/define-pool.ts";

export interface TJoinOptions {
  /** The queue prefix the agent must use, echoed in the grant. */
  prefix: string;
  /**
   * Gives the host its Redis identity for a credential hash, inside the join's transaction (a
   * failure undoes the join and leaves the token unused). Returns the Redis user, or null when
   * Redis has no ACLs and the agent keeps the connection it joined with.
   */
  provision: (hostId: string, credentialHash: string) => Promise<{ redisUser: string | null }>;
}

/**
 * Registers a host from its agent's join request (the controller calls it; the agent never
 * touches the database). The token must be the host's, unused and unexpired, and is spent here,
 * once, atomically. Records what libvirt reported (CPUs, memory, hypervisor, hostname), adopts the
 * pools it has (matched by target path, then name; unknown ones are listed, never refused), and
 * gives the host a new credential: returned in plain text this once, stored as its sha256. A
 * host re-joining replaces its old credential. Leftover domains are reconciliation's business.
 */
export async function joinHost(deps: CoreDeps, input: unknown, options: TJoinOptions): Promise<TJoinGrant> {
  const request = parseInput(ZJoinRequest, input);
  if (request.protocolVersion !== PROTOCOL_VERSION) {
    const older = request.protocolVersion < PROTOCOL_VERSION ? "the agent" : "the controller";
    throw new CarveError("INVALID_INPUT", `The agent speaks protocol ${request.protocolVersion}, the controller ${PROTOCOL_VERSION}: upgrade ${older} and join again (the token is still valid).`);
  }
  const joined = await deps.db.$transaction(async (tx) => {
    const now = deps.now();
    const token = await tx.oneTimeToken.findUnique({ where: { hash: joinTokenHash(request.proof) } });
    if (!token || token.kind !== "HostJoin" || !token.hostId) throw joinTokenRefusal("is not known (mistyped, or replaced by a newer token)");
    const host = await tx.host.findUnique({ where: { id: token.hostId } });
    if (!host || host.state === "Removed") throw joinTokenRefusal("belongs to a host that has been removed", host?.name);
    if (token.usedAt) throw joinTokenRefusal(`was already used (at ${token.usedAt.toISOString()}); a token joins a host once`, host.name);
    if (token.expiresAt <= now) throw joinTokenRefusal(`expired at ${token.expiresAt.toISOString()}`, host.name);
    const spent = await tx.oneTimeToken.updateMany({ where: { id: token.id, usedAt: null }, data: { usedAt: now } });
    if (spent.count !== 1) throw joinTokenRefusal("was just used by another join", host.name);

    const uri = LIBVIRT_URI.test(request.uri) ? request.uri : host.uri;
    const registered = await tx.storagePool.findMany({
      where: { state: { not: "Removed" }, OR: [{ hostId: host.id }, { hosts: { some: { hostId: host.id } } }] },
      select: { id: true, name: true, libvirtName: true, path: true, scope: true, kind: true, sourceHost: true, sourcePath: true },
    });
    const { matches, missing } = matchJoinPools(request.pools, registered, host.name);
    for (const match of matches) await adoptPool(tx, host.id, match, now);
    // Registered for this host but not in its libvirt (a new host of a shared pool, a reinstalled
    // host): its agent defines them as soon as it runs.
    const defines = [];
    for (const pool of registered.filter((p) => missing.some((m) => m.pool === p.name))) defines.push(...(await recordPoolDefines(tx, deps, SYSTEM_ACTOR, pool, [host])));

    const credential = `carve-host-${randomBytes(32).toString("base64url")}`;
    const credentialHash = sha256(credential);
    const { redisUser } = await options.provision(host.id, credentialHash);
    await tx.host.update({
      where: { id: host.id },
      data: { cpus: request.cpus, memoryMiB: request.memoryMiB, agentVersion: request.agentVersion, hostname: request.hostname, hypervisor: request.hypervisor, uri, credentialHash, joinedAt: now, sealKey: request.publicKey },
    });
    const linked = matches.filter((m) => m.outcome === "linked").length;
    const unknown = matches.length - linked;
    await recordEvent(tx, {
      type: "host.joined",
      actor: SYSTEM_ACTOR,
      hostId: host.id,
      message: `host ${host.name} joined: ${request.hostname}, ${request.cpus} CPUs, ${request.memoryMiB} MiB, ${request.hypervisor}; ${linked} pool(s) linked, ${unknown} unknown, ${missing.length} registered but not reported`,
      data: { pools: matches.map(({ report: _report, poolId: _poolId, renameTo: _renameTo, ...outcome }) => outcome), missing },
    });
    deps.log.info({ hostId: host.id, host: host.name, linked, unknown, missing: missing.length, redisUser }, "host joined");
    return {
      hostId: host.id,
      hostName: host.name,
      queuePrefix: options.prefix,
      redisUser,
      credential,
      pools: matches.map(({ libvirtName, path, outcome, pool, hint }) => ({ libvirtName, path, outcome, pool, hint })),
      missingPools: missing,
      defines,
    };
  });
  const { defines, ...grant } = joined;
  for (const job of defines) await dispatchJob(deps, job);
  return grant;
}

/** Links a matched pool to the host, follows a renamed libvirt pool, and records its capacity. */
async function adoptPool(tx: Tx, hostId: string, match: TPoolMatch, now: Date): Promise<void> {
  if (match.poolId === null) return;
  const poolId = match.poolId;
  await tx.poolHost.upsert({ where: { poolId_hostId: { poolId, hostId } }, create: { poolId, hostId }, update: {} });
  const { report } = match;
  await tx.storagePool.update({
    where: { id: poolId },
    data: {
      ...(match.renameTo ? { libvirtName: match.renameTo } : {}),
      capacityBytes: BigInt(Math.round(report.capacityBytes)),
      allocatedBytes: BigInt(Math.round(report.allocationBytes)),
      availableBytes: BigInt(Math.round(report.availableBytes)),
      capacityReportedAt: now,
    },
  });
}
