import { JOIN_REPLY_TTL_MS, joinReplyKey, joinRequestsKey, sealFor, ZJoinRequest, type TJoinReply } from "@carve/protocol";
import { Redis } from "ioredis";
import type { CoreDeps } from "../context.ts";
import { outcomeOf, recordAudit } from "../audit/record-audit.ts";
import { CarveError } from "../errors/index.ts";
import { SYSTEM_ACTOR } from "../identity/actor.ts";
import { aclAvailable, deleteHostAclUser, setHostAclUser, syncHostAclUsers } from "./host-redis-acl.ts";
import { joinHost } from "./join-host.ts";

export interface THostJoinServiceOptions {
  redisUrl: string;
  prefix: string;
  /** How often Redis's per-host users are made to match the database (they vanish when Redis restarts). */
  aclSyncMs?: number;
}

export interface THostJoinService {
  stop(): Promise<void>;
}

/**
 * The controller's side of host join: takes join requests off `<prefix>:carve:join` (BLPOP, so
 * one controller replica handles each), runs {@link joinHost}, gives the host its own Redis user
 * when Redis has ACLs, and answers on the agent's reply key, the grant sealed to the agent's key,
 * the key expiring within a minute. Requests and grants are never logged (they hold secrets).
 */
export function startHostJoinService(deps: CoreDeps, options: THostJoinServiceOptions): THostJoinService {
  const commands = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectionName: "carve-controller-joins" });
  const blocking = new Redis(options.redisUrl, { maxRetriesPerRequest: null, connectionName: "carve-controller-join-queue" });
  for (const connection of [commands, blocking]) connection.on("error", () => undefined); // the loop logs what matters
  let stopped = false;
  // A join and a sync never overlap in one controller: a sync that read the hosts before a join
  // committed would otherwise delete the user the join just made. (Between controller replicas
  // the next sync repairs it; syncHostAclUsers also re-reads a host before changing its user.)
  let exclusive: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = exclusive.then(work, work);
    exclusive = run.catch(() => undefined);
    return run;
  };

  const provision = async (hostId: string, credentialHash: string) => {
    const acl = await aclAvailable(commands);
    if (!acl.available) {
      deps.log.warn({ hostId }, acl.reason);
      return { redisUser: null };
    }
    // Deleting first disconnects whatever still runs with the host's previous credential.
    await deleteHostAclUser(commands, hostId);
    return { redisUser: await setHostAclUser(commands, options.prefix, hostId, credentialHash) };
  };

  const answer = async (raw: string): Promise<void> => {
    const envelope = ZJoinRequest.pick({ replyId: true, publicKey: true }).safeParse(safeJson(raw));
    if (!envelope.success) {
      deps.log.warn("dropped a malformed host join request (no reply key or public key)");
      return;
    }
    const { replyId, publicKey } = envelope.data;
    let reply: TJoinReply;
    try {
      sealFor(publicKey, ""); // an unusable key must fail before the token is spent
      const grant = await joinHost(deps, safeJson(raw), { prefix: options.prefix, provision });
      reply = { ok: true, sealed: sealFor(publicKey, JSON.stringify(grant)) };
      await recordAudit(deps, SYSTEM_ACTOR, { action: "host.join", outcome: "ok", target: { type: "host", id: grant.hostId, name: grant.hostName } });
    } catch (error) {
      // The token and the grant's credential are never recorded: only that a join was tried and how it ended.
      await recordAudit(deps, SYSTEM_ACTOR, { action: "host.join", ...outcomeOf(error) });
      if (error instanceof CarveError) {
        deps.log.info({ code: error.code }, `host join refused: ${error.message}`);
        reply = { ok: false, code: error.code, message: error.message };
      } else {
        deps.log.error({ err: error }, "host join failed");
        reply = { ok: false, code: "INTERNAL", message: `The controller could not complete the join (${error instanceof Error ? error.message : String(error)}). The token was not spent: run the join command again.` };
      }
    }
    const key = joinReplyKey(options.prefix, replyId);
    await commands.multi().rpush(key, JSON.stringify(reply)).pexpire(key, JOIN_REPLY_TTL_MS).exec();
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        const popped = await blocking.blpop(joinRequestsKey(options.prefix), 1);
        if (popped) await oneAtATime(() => answer(popped[1]));
      } catch (error) {
        if (stopped) return;
        deps.log.warn({ err: error }, "host join queue unavailable; retrying");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };

  const sync = async (): Promise<void> => {
    try {
      if (!(await aclAvailable(commands)).available) return;
      const report = await oneAtATime(() => syncHostAclUsers(deps, commands, options.prefix));
      if (report.set + report.deleted > 0) deps.log.info(report, "per-host Redis users brought in line with the database");
    } catch (error) {
      deps.log.warn({ err: error }, "could not sync per-host Redis users; retrying");
    }
  };

  const running = loop();
  void sync();
  const timer = setInterval(() => void sync(), options.aclSyncMs ?? 5_000);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      blocking.disconnect();
      await running;
      await commands.quit().catch(() => undefined);
    },
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
