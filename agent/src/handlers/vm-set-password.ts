import { JobRefusedError } from "../jobs/job-errors.ts";
import type { TJobHandler } from "./context.ts";
import { requireDomain } from "./power.ts";

/**
 * vm.set-password: opens the password sealed to this host and sets it for the guest user through
 * the QEMU guest agent of the running VM, without a reboot. Setting the same password again is
 * harmless, so a retry converges. Neither the result nor any message carries the password.
 */
export const vmSetPassword: TJobHandler<"vm.set-password"> = async (payload, ctx) => {
  const domain = await requireDomain(ctx.hypervisor, payload.vmId);
  if (domain.state !== "running") {
    throw new JobRefusedError(`VM ${payload.vmId} is ${domain.state} on this host: the guest agent only answers in a running VM; start it and reset the password again`);
  }
  const password = ctx.openSecret(payload.password);
  await ctx.reportProgress({ percent: 50, step: "setting the password through the guest agent" });
  await ctx.hypervisor.setUserPassword(domain.name, payload.user, password);
  return { vmId: payload.vmId, user: payload.user };
};
