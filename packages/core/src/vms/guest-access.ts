import type { Template, Tx } from "@carve/db";
import type { TCloudInit } from "@carve/protocol";
import { CarveError } from "../errors/index.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { resolveSshKeys } from "../ssh-keys/resolve-ssh-keys.ts";
import { generateGuestPassword, sealForHost } from "./guest-password.ts";
import { recordPasswordReveal, revealKey } from "./password-reveals.ts";

/** What a new VM's cloud-init seed will carry, decided before placement. */
export interface TGuestAccessPlan {
  hostname: string;
  sshAuthorizedKeys: string[];
  /** A generated first password for root, or null. */
  password: string | null;
  /** CARVE_SECRET_KEY, when there is a first password to keep for its view. */
  key: Buffer | null;
}

/**
 * Checks what createVm was asked for against the template: SSH keys and a first password travel in
 * a cloud-init NoCloud seed, so they need a template that declares cloud-init support (a refusal
 * names that). Every cloud-init template gets a seed, with the hostname at least; others get none.
 */
export async function planGuestAccess(
  deps: TIdentityDeps,
  ownerId: string,
  template: Pick<Template, "name" | "supportsCloudInit">,
  input: { name: string; sshKeys: string[]; firstPassword: boolean },
): Promise<TGuestAccessPlan | null> {
  if (!template.supportsCloudInit) {
    if (input.sshKeys.length > 0 || input.firstPassword) {
      throw new CarveError(
        "GUEST_FEATURE_UNSUPPORTED",
        `Template ${template.name} does not support cloud-init, so SSH keys and a first password cannot be put into the VM. Choose a template with cloud-init support, or create the VM without them.`,
        { fields: [{ field: input.sshKeys.length > 0 ? "sshKeys" : "firstPassword", message: `template ${template.name} has no cloud-init support` }] },
      );
    }
    return null;
  }
  const keys = await resolveSshKeys(deps.db, ownerId, input.sshKeys);
  return {
    hostname: input.name,
    sshAuthorizedKeys: keys.map((k) => k.publicKey),
    password: input.firstPassword ? generateGuestPassword() : null,
    key: input.firstPassword ? revealKey(deps) : null,
  };
}

/** The vm.create payload's cloud-init part for the chosen host (the first password sealed to its key). */
export async function cloudInitPayload(tx: Tx, plan: TGuestAccessPlan, hostId: string): Promise<TCloudInit> {
  const base = { hostname: plan.hostname, sshAuthorizedKeys: plan.sshAuthorizedKeys, passwordUser: "root" };
  if (plan.password === null) return base;
  const host = await tx.host.findUniqueOrThrow({ where: { id: hostId }, select: { name: true, sealKey: true } });
  return { ...base, password: sealForHost(host, plan.password) };
}

/** Keeps the first password for its one view (see revealVmPassword); null when there is none. */
export async function recordFirstPassword(
  tx: Tx,
  deps: TIdentityDeps,
  plan: TGuestAccessPlan | null,
  ids: { vmId: string; userId: string; jobId: string },
): Promise<{ revealId: string; expiresAt: Date } | null> {
  if (plan?.password == null || plan.key === null) return null;
  return recordPasswordReveal(tx, deps, plan.key, { ...ids, guestUser: "root", password: plan.password });
}
