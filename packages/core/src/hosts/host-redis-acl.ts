import { hostQueueName, hostRedisUser, joinReplyKey, joinRequestsKey } from "@carve/protocol";
import type { Redis } from "ioredis";
import type { CoreDeps } from "../context.ts";

/**
 * What a host's own Redis user may do: every key of its own queue (`<prefix>:host.<id>:*`, which
 * also holds its heartbeat) and nothing else. The commands are what a BullMQ worker and the
 * agent's heartbeat need, found by running the agent under this user: reads and writes (BullMQ's
 * Lua scripts are checked key by key), scripting, blocking pops, connection commands, INFO (BullMQ
 * reads the server version) and TIME (its scripts and the doctor's clock check). Everything that
 * lists or touches other keys or the server is out: SCAN, RANDOMKEY, DBSIZE, KEYS, FLUSH*, CONFIG,
 * ACL, CLIENT LIST/KILL, SCRIPT FLUSH/KILL, FUNCTION, pub/sub. No channels.
 */
export function hostAclRules(prefix: string, hostId: string): string[] {
  return [
    "resetkeys",
    `~${prefix}:${hostQueueName(hostId)}:*`,
    "resetchannels",
    "-@all",
    "+@read", "+@write", "+@scripting", "+@blocking", "+@connection", "+@transaction",
    "-@dangerous", "-@admin", "-@pubsub",
    "+info", "+time",
    "-scan", "-randomkey", "-dbsize", "-script|flush", "-script|kill", "-script|debug", "-function", "-memory|usage", "-lolwut",
  ]; // prettier-ignore
}

/**
 * What the join user (JOIN_REDIS_USER, the credential in join commands) may do. Joining goes
 * through Redis rather than through the controller over HTTPS because the controller serves no
 * HTTP and hosts already reach Redis; the user is therefore cut down to the two steps of a join:
 * - LPUSH onto the join list with write-only access (`%W~`): it cannot read, list or pop anyone's
 *   request (LRANGE, LPOP, BLPOP there are refused); LREM alone is allowed there, so an agent
 *   that got no answer takes its own request back (LREM answers a count, never contents);
 * - BLPOP of a reply key: each agent picks a random 144-bit reply id and the reply is sealed to
 *   its own key (join-seal.ts), so popping is limited to keys no other user can name or list.
 * No other command, no other key, no channel: no SCAN, INFO, CONFIG, ACL or pub/sub.
 * Redis ≥ 7.0 (selectors and %W~ key permissions).
 */
export function joinAclRules(prefix: string): string[] {
  return [
    "resetkeys", "resetchannels", "-@all",
    `%W~${joinRequestsKey(prefix)}`, `~${joinReplyKey(prefix, "*")}`, "+lpush", "+blpop",
    `(~${joinRequestsKey(prefix)} resetchannels -@all +lrem)`,
  ]; // prettier-ignore
}

/** True when this Redis can hold per-host users and we may manage them (Redis ≥ 6 and the ACL right). */
export async function aclAvailable(redis: Redis): Promise<{ available: boolean; reason: string }> {
  try {
    await redis.call("ACL", "WHOAMI");
    await redis.call("ACL", "GETUSER", "default");
    return { available: true, reason: "Redis ACLs are available" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { available: false, reason: `no per-host Redis users (Redis said: ${message}); agents keep the credentials they joined with` };
  }
}

/**
 * Creates or resets a host's Redis user with its credential's sha256 (Redis ACLs accept a password
 * by its sha256, so the controller never needs the secret again). Resetting closes nothing: the
 * agent's connections stay authenticated until the user is deleted.
 */
export async function setHostAclUser(redis: Redis, prefix: string, hostId: string, credentialHash: string): Promise<string> {
  const user = hostRedisUser(hostId);
  await redis.call("ACL", "SETUSER", user, "reset", "on", `#${credentialHash}`, ...hostAclRules(prefix, hostId));
  return user;
}

/** Deletes a host's Redis user; Redis disconnects every client logged in as it. */
export async function deleteHostAclUser(redis: Redis, hostId: string): Promise<void> {
  await redis.call("ACL", "DELUSER", hostRedisUser(hostId));
}

/**
 * Makes Redis's host users match the database: one per joined host with the stored credential
 * hash, none for removed hosts or hosts without a credential. Run at start and every few seconds
 * (one ACL LIST and one query when nothing changed), it also restores the users after a Redis
 * restart (they live in Redis's memory only). Only hosts of this database are touched: users of
 * other Carve installations on the same Redis are left alone.
 */
export async function syncHostAclUsers(deps: CoreDeps, redis: Redis, prefix: string): Promise<{ set: number; deleted: number }> {
  const hosts = await deps.db.host.findMany({ select: { id: true, state: true, credentialHash: true } });
  // "user <name> on sanitize-payload #<sha256> ~<pattern> resetchannels -@all …", one line per user.
  const lines = new Map(((await redis.call("ACL", "LIST")) as string[]).map((line) => [line.split(" ")[1] ?? "", line]));
  let set = 0;
  let deleted = 0;
  for (const listed of hosts) {
    const user = hostRedisUser(listed.id);
    const line = lines.get(user);
    const wanted = (host: typeof listed) => (host.state !== "Removed" && host.credentialHash ? host.credentialHash : null);
    const hash = wanted(listed);
    if (hash && line?.includes(`#${hash}`) && line.includes(`~${prefix}:${hostQueueName(listed.id)}:*`)) continue;
    if (!hash && !line) continue;
    // A join may have committed since the list was read (and made the user itself): act on the
    // host as it is now, or the sync would delete a just-joined host's user, or put back the
    // credential it replaced.
    const current = await deps.db.host.findUnique({ where: { id: listed.id }, select: { id: true, state: true, credentialHash: true } });
    const now = current ? wanted(current) : null;
    if (now) {
      if (line?.includes(`#${now}`) && line.includes(`~${prefix}:${hostQueueName(listed.id)}:*`)) continue;
      await setHostAclUser(redis, prefix, listed.id, now);
      set += 1;
    } else if (line) {
      await deleteHostAclUser(redis, listed.id);
      deleted += 1;
    }
  }
  return { set, deleted };
}
