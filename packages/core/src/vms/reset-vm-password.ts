import type { Job } from "@carve/db";
import { ZGuestUser } from "@carve/protocol";
import { CarveError } from "../errors/index.ts";
import { requireUser, requireWriteScope, type TActor } from "../identity/actor.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "./find-vm.ts";
import { generateGuestPassword, sealForHost } from "./guest-password.ts";
import { recordPasswordReveal, revealKey } from "./password-reveals.ts";
import { runVmAction } from "./run-vm-action.ts";
import { ZVmRefInput } from "./start-vm.ts";

/** Strict: an unknown field (a REST body's typo) is refused, naming it. */
export const ZResetVmPasswordInput = ZVmRefInput.extend({
  /** The guest account whose password is set. */
  user: ZGuestUser.default("root"),
}).strict();

/** What a reset returns: the job to watch and the reveal to show once it has succeeded. */
export interface TPasswordReset {
  job: Job;
  /** Give it to revealVmPassword (or reveal by VM) once the job has succeeded; the password is never returned here. */
  revealId: string;
  user: string;
  /** The password can be viewed until then (10 minutes), once. */
  expiresAt: Date;
}

/**
 * Sets a strong generated password for a guest user of a running VM through the QEMU guest agent,
 * without a reboot. The VM's owner (or an admin) asks; whoever asked can view the password exactly
 * once with revealVmPassword after the job succeeded, within 10 minutes. The password travels
 * sealed to the host agent's key and rests only sealed under CARVE_SECRET_KEY: never in plain
 * text in PostgreSQL, Redis or a log. The template must declare password reset support.
 */
export async function resetVmPassword(deps: TIdentityDeps, actor: TActor, input: unknown): Promise<TPasswordReset> {
  const me = requireUser(actor);
  requireWriteScope(actor, "reset VM passwords");
  const { vm: ref, user } = parseInput(ZResetVmPasswordInput, input);
  const key = revealKey(deps);
  const { id } = await findVmForActor(deps.db, actor, ref);
  const vm = await deps.db.vm.findUniqueOrThrow({
    where: { id },
    select: { name: true, state: true, template: { select: { name: true, supportsPasswordReset: true } }, host: { select: { id: true, name: true, sealKey: true } } },
  });
  if (!vm.template.supportsPasswordReset) {
    throw new CarveError(
      "GUEST_FEATURE_UNSUPPORTED",
      `VM ${vm.name} cannot have its password reset: its template ${vm.template.name} does not support password reset. That needs qemu-guest-agent installed and running in the guest, and the template registered with password reset support; ask an admin for such a template.`,
    );
  }
  if (vm.state !== "Running") {
    throw new CarveError("INVALID_STATE", `Cannot reset the password of VM ${vm.name}: it is ${vm.state}, and the guest agent only answers in a running VM. Start it first.`);
  }
  if (!vm.host) throw new CarveError("INVALID_STATE", `VM ${vm.name} is not placed on any host.`);
  const host = vm.host;
  const password = generateGuestPassword();
  const sealed = sealForHost(host, password);
  const reveal: { revealId?: string; expiresAt?: Date } = {};
  const job = await runVmAction(
    deps,
    actor,
    id,
    "resetPassword",
    (v) => {
      // Sealed to this host's key: a VM that moved meanwhile must not get it.
      if (v.hostId !== host.id) throw new CarveError("VM_BUSY", `VM ${vm.name} moved to another host meanwhile; try again.`);
      return { vmId: v.id, user, password: sealed };
    },
    async (tx, recorded) => {
      Object.assign(reveal, await recordPasswordReveal(tx, deps, key, { vmId: id, userId: me.userId, jobId: recorded.id, guestUser: user, password }));
    },
  );
  if (!reveal.revealId || !reveal.expiresAt) throw new CarveError("INTERNAL", "the password reveal was not recorded with its job");
  return { job, revealId: reveal.revealId, user, expiresAt: reveal.expiresAt };
}
