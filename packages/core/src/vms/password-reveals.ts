import { randomUUID } from "node:crypto";
import type { Prisma, Tx } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { identityOptions, type TIdentityDeps } from "../identity/identity-options.ts";
import { openSecret, sealSecret } from "../identity/secret-box.ts";

/** How long a generated password waits for its one view. */
export const PASSWORD_REVEAL_TTL_MS = 10 * 60_000;

/** The secret box label of a reveal: a sealed password copied to another row does not open. */
const labelOf = (revealId: string): string => `password-reveal:${revealId}`;

/** CARVE_SECRET_KEY, which keeps generated passwords encrypted until they are viewed. */
export function revealKey(deps: TIdentityDeps): Buffer {
  const { secretKey } = identityOptions(deps);
  if (!secretKey) {
    throw new CarveError(
      "SECRET_UNREADABLE",
      "Generated passwords are kept encrypted with CARVE_SECRET_KEY until you view them, and it is not set in this process: set it (the same value in every Carve process; make one with 'openssl rand -hex 32') and try again.",
    );
  }
  return secretKey;
}

export interface TRevealRecord {
  vmId: string;
  userId: string;
  jobId: string;
  guestUser: string;
  password: string;
}

/**
 * Records a generated password for its one view, sealed under the secret key; returns its id and
 * expiry. An older password of the same VM waiting for the same user is superseded and deleted.
 */
export async function recordPasswordReveal(tx: Tx, deps: CoreDeps, key: Buffer, record: TRevealRecord): Promise<{ revealId: string; expiresAt: Date }> {
  const revealId = randomUUID();
  const expiresAt = new Date(deps.now().getTime() + PASSWORD_REVEAL_TTL_MS);
  const { password, ...rest } = record;
  await tx.passwordReveal.deleteMany({ where: { vmId: record.vmId, userId: record.userId } });
  await tx.passwordReveal.create({
    data: { id: revealId, ...rest, sealed: sealSecret(key, labelOf(revealId), password) as unknown as Prisma.InputJsonValue, expiresAt },
  });
  return { revealId, expiresAt };
}

/** Opens a reveal's password; a changed secret key is reported without any detail of the password. */
export function openReveal(key: Buffer, reveal: { id: string; sealed: Prisma.JsonValue }): string {
  try {
    return openSecret(key, labelOf(reveal.id), reveal.sealed);
  } catch {
    throw new CarveError("SECRET_UNREADABLE", "This password cannot be decrypted: CARVE_SECRET_KEY differs from the one it was stored with. Reset the password again.");
  }
}

/** Deletes every reveal past its expiry (the controller runs this every round). Returns how many. */
export async function pruneExpiredPasswordReveals(deps: CoreDeps): Promise<number> {
  const { count } = await deps.db.passwordReveal.deleteMany({ where: { expiresAt: { lte: deps.now() } } });
  return count;
}
