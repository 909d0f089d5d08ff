import { randomBytes } from "node:crypto";
import { AGENT_VERSION } from "../version.ts";
import { PROTOCOL_VERSION, joinReplyKey, joinRequestsKey, joinTokenProof, openSealed, ZJoinGrant, ZJoinReply, type TJoinGrant, type TJoinRequest } from "@carve/protocol";
import { Redis } from "ioredis";
import { writeAgentConfig } from "../agent-config.ts";
import { DEFAULT_AGENT_CONFIG_PATH } from "../env.ts";
import { loadHostKey } from "../host-key.ts";
import { redisAddress } from "../agent.ts";
import { domainTypeFor } from "../hypervisor/libvirt/domain-type.ts";
import { openHypervisor } from "../hypervisor/open-hypervisor.ts";

export interface TJoinFlags {
  token: string;
  redisUrl: string;
  uri: string;
  prefix: string;
  config: string;
  /** Where the host's key pair lives (made here on first use; `run` must use the same directory). */
  dataDir: string;
  timeoutSec: number;
}

/** A join that did not happen, with the message to print (exit 1). */
export class JoinRefused extends Error {}

/**
 * `carve-agent join`: reads what libvirt has (node, hypervisor, pools with their target paths),
 * sends it with the token's proof (never the token itself, which would stay in Redis's append-only
 * file) on Redis as the join user of the --redis URL (see core's joinAclRules), waits for the controller's answer, and writes the config file
 * (mode 0600) with the host id and its own credential. The credential arrives sealed to the host's
 * long-lived key (host-key.ts), whose public half the controller records for sealing job secrets
 * later; it is never printed. Returns the grant for the summary.
 */
export async function joinCommand(flags: TJoinFlags): Promise<TJoinGrant> {
  const hypervisor = await openHypervisor({ uri: flags.uri, consoleLogDir: "/var/log/carve/console", domainType: "auto" }).catch((error: unknown) => {
    throw new JoinRefused(`cannot read libvirt at ${flags.uri}: ${error instanceof Error ? error.message : String(error)}. Run 'carve-agent doctor' for the fix.`);
  });
  const [node, pools] = await Promise.all([hypervisor.nodeInfo(), hypervisor.listPoolDetails()]).finally(() => hypervisor.close());
  const keys = await loadHostKey(flags.dataDir).catch((error: unknown) => {
    throw new JoinRefused(`cannot read or create the host key in ${flags.dataDir}: ${error instanceof Error ? error.message : String(error)}. Check --data-dir (or CARVE_AGENT_DATA_DIR).`);
  });
  const replyId = randomBytes(18).toString("base64url");
  const request: TJoinRequest = {
    proof: joinTokenProof(flags.token), replyId, publicKey: keys.publicKey, uri: flags.uri, ...node,
    hypervisor: domainTypeFor(flags.uri), agentVersion: AGENT_VERSION, protocolVersion: PROTOCOL_VERSION, pools,
  }; // prettier-ignore
  const payload = JSON.stringify(request);
  // No ready check: it runs INFO, which the join user may not.
  const redis = new Redis(flags.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 5_000, enableReadyCheck: false, retryStrategy: (times) => (times > 2 ? null : 200) });
  redis.on("error", () => undefined);
  try {
    await redis.lpush(joinRequestsKey(flags.prefix), payload).catch((error: unknown) => {
      throw new JoinRefused(`cannot reach Redis at ${redisAddress(flags.redisUrl)}: ${error instanceof Error ? error.message : String(error)}. Check --redis and that this host may reach it.`);
    });
    const popped = await redis.blpop(joinReplyKey(flags.prefix, replyId), flags.timeoutSec);
    if (!popped) {
      // Not answered: take the request back so a controller starting later does not spend the token unseen.
      await redis.lrem(joinRequestsKey(flags.prefix), 1, payload);
      throw new JoinRefused(`no controller answered within ${flags.timeoutSec} s on ${redisAddress(flags.redisUrl)} (queue prefix '${flags.prefix}'): is the Carve controller running, on this Redis, with this --prefix? The token was not used.`);
    }
    const reply = ZJoinReply.parse(JSON.parse(popped[1]));
    if (!reply.ok) throw new JoinRefused(`the controller refused the join (${reply.code}): ${reply.message}`);
    const grant = ZJoinGrant.parse(JSON.parse(openSealed(keys.privateKey, reply.sealed)));
    await writeAgentConfig(flags.config, {
      hostId: grant.hostId, hostName: grant.hostName, libvirtUri: flags.uri, redisUrl: grant.redisUser ? withoutCredentials(flags.redisUrl) : flags.redisUrl, queuePrefix: grant.queuePrefix,
      redisUser: grant.redisUser, credential: grant.credential, joinedAt: new Date().toISOString(), dataDir: flags.dataDir,
    }); // prettier-ignore
    return grant;
  } finally {
    redis.disconnect();
  }
}

/** The URL without its user and password: a host with its own Redis user keeps no copy of the join credential. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString();
}

/** The human summary of a join: the host, each pool's fate, what to run next. */
export function joinSummary(grant: TJoinGrant, flags: TJoinFlags): string[] {
  return [
    `joined as host ${grant.hostName} (${grant.hostId}); settings written to ${flags.config} (mode 0600)`,
    grant.redisUser ? `Redis: own user ${grant.redisUser}, limited to this host's queue` : "Redis: no ACLs there; the agent uses the --redis URL's credentials",
    ...grant.pools.map((p) => `pool ${p.libvirtName} (${p.path ?? "no path"}): ${p.outcome === "linked" ? `linked to Carve pool ${p.pool}` : "unknown to Carve"}${p.hint ? ` — ${p.hint}` : ""}`),
    ...grant.missingPools.map((p) => `pool ${p.pool} is registered for this host but libvirt has no pool at ${p.path} (libvirt name ${p.libvirtName}): define it, or fix the registration`),
    `next: carve-agent run${flags.config === DEFAULT_AGENT_CONFIG_PATH ? "" : ` --config ${flags.config}`}`,
  ];
}
