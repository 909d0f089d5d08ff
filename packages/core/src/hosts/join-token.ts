import { randomBytes } from "node:crypto";
import type { Tx } from "@carve/db";
import { joinTokenProof } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { sha256 } from "../identity/api-key-format.ts";
import { parseInput } from "../validation/parse-input.ts";
import { resolveHost } from "./resolve-host.ts";

/** A join token lives an hour unless the admin asks otherwise. */
export const DEFAULT_JOIN_TOKEN_TTL_MINUTES = 60;

/** How long a join token may live: a minute to a week. */
export const ZJoinTokenTtl = z
  .number("must be a number of minutes")
  .int("must be a whole number of minutes")
  .min(1, "must be at least 1 minute")
  .max(7 * 24 * 60, "must be at most a week (10080 minutes)")
  .default(DEFAULT_JOIN_TOKEN_TTL_MINUTES);

/**
 * A join token in plain text: shown once, never stored. The agent sends only its proof
 * (joinTokenProof) and the database keeps only the proof's sha256 (joinTokenHash): neither the
 * Redis AOF nor the database holds what `carve-agent join` needs. Tokens issued before this
 * scheme (stored as the token's own sha256) no longer match: issue a new one.
 */
export interface TJoinToken {
  token: string;
  expiresAt: Date;
}

/**
 * Makes a host's join token inside the caller's transaction, expiring any earlier unused one of the
 * same host: at most one token per host works at a time.
 */
export async function createJoinToken(tx: Tx, deps: Pick<CoreDeps, "now">, hostId: string, ttlMinutes: number): Promise<TJoinToken> {
  const now = deps.now();
  await tx.oneTimeToken.updateMany({ where: { kind: "HostJoin", hostId, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
  const token = `carve-join-${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000);
  await tx.oneTimeToken.create({ data: { kind: "HostJoin", hash: joinTokenHash(joinTokenProof(token)), hostId, expiresAt } });
  return { token, expiresAt };
}

/** What the database stores of a join token, from the proof a join request carries. */
export function joinTokenHash(proof: string): string {
  return sha256(`join:${proof}`);
}

export const ZIssueJoinTokenInput = z.strictObject({
  host: z.string().min(1, "is required").max(100),
  ttlMinutes: ZJoinTokenTtl,
});

/**
 * Issues a new one-time join token for a registered host (the first was lost or expired, or the
 * host's agent is being reinstalled) and voids any earlier unused one. Joining with it gives the
 * host a fresh credential; the old one stops working.
 */
export async function issueJoinToken(deps: CoreDeps, actor: TActor, input: unknown): Promise<TJoinToken & { hostId: string; hostName: string; hostUri: string }> {
  requireAdmin(actor, "issue host join tokens");
  const data = parseInput(ZIssueJoinTokenInput, input);
  return deps.db.$transaction(async (tx) => {
    const host = await resolveHost(tx, data.host);
    const token = await createJoinToken(tx, deps, host.id, data.ttlMinutes);
    await recordEvent(tx, { type: "host.join-token", actor, hostId: host.id, message: `join token issued for host ${host.name}, valid until ${token.expiresAt.toISOString()}` });
    return { ...token, hostId: host.id, hostName: host.name, hostUri: host.uri };
  });
}

/** The refusal for a token that cannot be used, saying why and how to get a working one. */
export function joinTokenRefusal(reason: string, hostName?: string): CarveError {
  const fix = `Ask an administrator for a new one ('carve host join-token ${hostName ?? "HOST"}') and run the join command it prints.`;
  return new CarveError("JOIN_TOKEN_INVALID", `This join token ${reason}. ${fix}`);
}
