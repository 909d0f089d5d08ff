import type { TJobHandler } from "./context.ts";
import { ensureRunning, requireDomain } from "./power.ts";

/** vm.start: start (or resume) the VM's domain; already running is success. */
export const vmStart: TJobHandler<"vm.start"> = async (payload, ctx) => {
  const domain = await requireDomain(ctx.hypervisor, payload.vmId);
  await ensureRunning(ctx.hypervisor, domain);
  return { vmId: payload.vmId, state: "running", forced: false };
};
