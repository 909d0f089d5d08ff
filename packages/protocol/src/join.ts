import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * Host join over Redis. The agent, which never touches the database, LPUSHes a request on
 * `<prefix>:carve:join` and BLPOPs its answer from a reply key of its own; a controller validates
 * the one-time token and answers. The answer carries the host's own credential, sealed to
 * the host's own X25519 key (see join-seal.ts), so nothing that reads Redis learns it.
 */
export const joinRequestsKey = (prefix: string): string => `${prefix}:carve:join`;
export const joinReplyKey = (prefix: string, replyId: string): string => `${prefix}:carve:join:reply:${replyId}`;

/** How long a reply waits for its agent before Redis drops it. */
export const JOIN_REPLY_TTL_MS = 60_000;

/**
 * The Redis user an agent joins through (see joinAclRules in core's host-redis-acl.ts): it may
 * LPUSH onto the join list and pop a reply key, nothing else; its password is printed in join
 * commands, so it is no more secret than that.
 */
export const JOIN_REDIS_USER = "carve-join";

/**
 * What a join request carries instead of the token: sha256 over a label and the token. Redis (and
 * its append-only file) only ever sees this derivation, and the database keeps only the sha256 of
 * it, so neither a copy of the AOF after the join nor a copy of the database lets anyone join.
 */
export function joinTokenProof(token: string): string {
  return createHash("sha256").update("carve host join proof v1\0").update(token).digest("hex");
}

/** The Redis user a joined host connects as; its rights cover `<prefix>:host.<id>:*` only. */
export const hostRedisUser = (hostId: string): string => `carve-host-${hostId}`;

/** A storage pool as the joining agent's libvirt defines it. */
export const ZJoinPool = z.object({
  name: z.string().min(1).max(200),
  /** libvirt's pool type: dir, netfs, logical… */
  type: z.string().max(40),
  /** The target path (where volumes live); null when libvirt gives none. */
  path: z.string().max(1024).nullable(),
  active: z.boolean(),
  capacityBytes: z.number().nonnegative(),
  allocationBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
});
export type TJoinPool = z.infer<typeof ZJoinPool>;

export const ZJoinRequest = z.object({
  /** {@link joinTokenProof} of the one-time token (never the token): the controller hashes it and compares with the stored hash. */
  proof: z.string().regex(/^[0-9a-f]{64}$/, "must be the join token's proof (64 hex digits): upgrade carve-agent"),
  /** Random, chosen by the agent: names the reply key it waits on. */
  replyId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  /**
   * The host's long-lived X25519 public key (DER, base64): the answer is sealed to it, and the
   * controller records it so that later job secrets can be sealed to the same host.
   */
  publicKey: z.string().max(200),
  uri: z.string().max(500),
  hostname: z.string().max(255),
  cpus: z.number().int().nonnegative(),
  memoryMiB: z.number().int().nonnegative(),
  /** kvm, qemu (TCG) or test. */
  hypervisor: z.string().max(40),
  agentVersion: z.string().max(40),
  protocolVersion: z.number().int(),
  pools: z.array(ZJoinPool).max(500),
});
export type TJoinRequest = z.infer<typeof ZJoinRequest>;

/** What the controller did with each reported pool. */
export const ZJoinPoolOutcome = z.object({
  libvirtName: z.string(),
  path: z.string().nullable(),
  /** linked: matched a registered pool (by target path, else libvirt name); unknown: register it with `carve pool add`. */
  outcome: z.enum(["linked", "unknown"]),
  /** The Carve pool it was linked to. */
  pool: z.string().nullable(),
  hint: z.string().nullable(),
});
export type TJoinPoolOutcome = z.infer<typeof ZJoinPoolOutcome>;

/** The sealed part of a successful answer. */
export const ZJoinGrant = z.object({
  hostId: z.uuid(),
  hostName: z.string(),
  queuePrefix: z.string(),
  /** Null when Redis has no ACLs (or the controller may not manage them): the agent keeps the join connection's credentials. */
  redisUser: z.string().nullable(),
  credential: z.string(),
  pools: z.array(ZJoinPoolOutcome),
  /** Registered pools of the host that libvirt did not report. */
  missingPools: z.array(z.object({ pool: z.string(), libvirtName: z.string(), path: z.string() })),
});
export type TJoinGrant = z.infer<typeof ZJoinGrant>;

export const ZSealed = z.object({ publicKey: z.string(), iv: z.string(), data: z.string(), tag: z.string() });
export type TSealed = z.infer<typeof ZSealed>;

export const ZJoinReply = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), sealed: ZSealed }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type TJoinReply = z.infer<typeof ZJoinReply>;
