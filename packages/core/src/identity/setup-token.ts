import { randomBytes } from "node:crypto";
import type { Db, Tx } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { requireAdmin, type TActor } from "./actor.ts";
import { sha256 } from "./api-key-format.ts";
import { identityOptions, type TIdentityDeps } from "./identity-options.ts";

export type TSetupTokenStatus =
  /** A token was just made: print it once; it is never shown again. */
  | { status: "created"; token: string; expiresAt: Date }
  /** One made earlier is still unused and valid; 'carve admin setup-token' replaces it. */
  | { status: "pending"; expiresAt: Date }
  /** An administrator who can sign in exists: no token is needed. */
  | { status: "not-needed" };

// Serialises token creation across controller replicas starting at once.
const SETUP_LOCK_KEY = 72707371;

/** True when some enabled admin can sign in (a directory admin, or a local one with a password). */
export async function adminExists(db: Db | Tx): Promise<boolean> {
  const count = await db.user.count({ where: { role: "Admin", disabledAt: null, OR: [{ source: "Ldap" }, { passwordHash: { not: null } }] } });
  return count > 0;
}

/** Whether Carve still waits for its first admin (the portal's setup page and sign-in notice). */
export async function awaitsFirstAdmin(deps: Pick<CoreDeps, "db">): Promise<boolean> {
  return !(await adminExists(deps.db));
}

/**
 * The first-run hook for the controller and `npm start`: while no administrator can sign in and
 * no valid setup token is pending, makes one (expiring, single use, stored as a sha256) and
 * returns it in plain text this once. There is no default password anywhere.
 */
export async function ensureSetupToken(deps: TIdentityDeps): Promise<TSetupTokenStatus> {
  return deps.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SETUP_LOCK_KEY})`);
    if (await adminExists(tx)) return { status: "not-needed" } as const;
    const pending = await tx.oneTimeToken.findFirst({ where: { kind: "Setup", usedAt: null, expiresAt: { gt: deps.now() } }, orderBy: { expiresAt: "desc" } });
    if (pending) return { status: "pending", expiresAt: pending.expiresAt } as const;
    return createToken(tx, deps);
  });
}

/**
 * Replaces any pending setup token with a new one (the operator lost the printed one). Only
 * while no administrator can sign in; afterwards admins create accounts and reset passwords.
 */
export async function issueSetupToken(deps: TIdentityDeps, actor: TActor): Promise<{ token: string; expiresAt: Date }> {
  requireAdmin(actor, "issue a setup token");
  return deps.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SETUP_LOCK_KEY})`);
    if (await adminExists(tx)) {
      throw new CarveError("ALREADY_EXISTS", "An administrator who can sign in already exists, so no setup token is needed. Admins add accounts with 'carve user create' and reset local passwords with 'carve admin reset-password USER'.");
    }
    await tx.oneTimeToken.updateMany({ where: { kind: "Setup", usedAt: null }, data: { expiresAt: deps.now() } });
    return createToken(tx, deps);
  });
}

async function createToken(tx: Tx, deps: TIdentityDeps): Promise<{ status: "created"; token: string; expiresAt: Date }> {
  const token = `carve-setup-${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(deps.now().getTime() + identityOptions(deps).setupTokenTtlMs);
  await tx.oneTimeToken.create({ data: { kind: "Setup", hash: sha256(token), expiresAt } });
  deps.log.info({ expiresAt }, "first-run setup token created");
  return { status: "created", token, expiresAt };
}
