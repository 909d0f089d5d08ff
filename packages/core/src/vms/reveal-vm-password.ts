import { z } from "zod";
import { CarveError } from "../errors/index.ts";
import { requireUser, type TActor } from "../identity/actor.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "./find-vm.ts";
import { openReveal, revealKey } from "./password-reveals.ts";

export const ZRevealVmPasswordInput = z
  .object({
    /** The reveal id that resetVmPassword (or createVm with a first password) returned. */
    revealId: z.string().refine(isUuid, "must be the reveal id returned by the password reset").optional(),
    /** Or the VM (name or id): its latest password waiting for you. */
    vm: z.string().min(1).max(100).optional(),
  })
  .refine((input) => input.revealId !== undefined || input.vm !== undefined, { message: "give the VM (name or id) or the reveal id", path: ["vm"] });

/** A password shown once. */
export interface TRevealedPassword {
  vmId: string;
  vmName: string;
  /** The guest account. */
  user: string;
  password: string;
}

/**
 * Shows a generated VM password exactly once, to the user who asked for it: the record is deleted
 * in the same transaction that reads it, so a second view (or a racing one) is refused. It is only
 * shown once its job has succeeded; a failed job's password is discarded, an expired one
 * (10 minutes) is never shown.
 */
export async function revealVmPassword(deps: TIdentityDeps, actor: TActor, input: unknown): Promise<TRevealedPassword> {
  const me = requireUser(actor);
  const data = parseInput(ZRevealVmPasswordInput, input);
  const key = revealKey(deps);
  const vmId = data.revealId === undefined && data.vm !== undefined ? (await findVmForActor(deps.db, actor, data.vm)).id : undefined;
  const outcome = await deps.db.$transaction(async (tx) => {
    const reveal = await tx.passwordReveal.findFirst({
      where: { userId: me.userId, ...(data.revealId ? { id: data.revealId } : { vmId }) },
      orderBy: { createdAt: "desc" },
      include: { vm: { select: { name: true } } },
    });
    if (!reveal) return { kind: "gone" } as const;
    const job = await tx.job.findUnique({ where: { id: reveal.jobId }, select: { state: true, errorMessage: true } });
    const expired = reveal.expiresAt <= deps.now();
    if (!expired && (job?.state === "Queued" || job?.state === "Running")) return { kind: "pending", vmName: reveal.vm.name, jobState: job.state } as const;
    // Deleted before it is shown: if the delete does not commit, nothing is shown either.
    const claimed = await tx.passwordReveal.deleteMany({ where: { id: reveal.id } });
    if (claimed.count !== 1 || expired) return { kind: "gone" } as const;
    if (job?.state !== "Succeeded") return { kind: "failed", vmName: reveal.vm.name, reason: job?.errorMessage ?? "its job did not succeed" } as const;
    return { kind: "shown", reveal } as const;
  });
  switch (outcome.kind) {
    case "gone":
      throw new CarveError(
        "PASSWORD_NOT_AVAILABLE",
        "There is no password to show: a generated password is shown only once, within 10 minutes, to whoever reset it. If you did not note it, reset the password again.",
      );
    case "pending":
      throw new CarveError("PASSWORD_NOT_READY", `The new password of ${outcome.vmName} is not set yet: its job is ${outcome.jobState}. Wait for it to finish, then view it (it stays available for 10 minutes).`);
    case "failed":
      throw new CarveError("PASSWORD_NOT_AVAILABLE", `The password of ${outcome.vmName} was not changed, so there is nothing to show: ${outcome.reason}`);
    case "shown": {
      const { reveal } = outcome;
      return { vmId: reveal.vmId, vmName: reveal.vm.name, user: reveal.guestUser, password: openReveal(key, reveal) };
    }
  }
}
