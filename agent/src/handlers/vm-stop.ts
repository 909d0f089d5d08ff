import type { TJobHandler } from "./context.ts";
import { powerOff, requireDomain } from "./power.ts";

/**
 * vm.stop: ACPI shutdown and wait up to gracefulTimeoutSec, then force it off (`forced: true`);
 * `force` pulls the plug at once. Already stopped is success.
 */
export const vmStop: TJobHandler<"vm.stop"> = async (payload, ctx) => {
  const domain = await requireDomain(ctx.hypervisor, payload.vmId);
  const { forced } = await powerOff(ctx.hypervisor, domain, {
    force: payload.force,
    gracefulTimeoutSec: payload.gracefulTimeoutSec,
    pollIntervalMs: ctx.pollIntervalMs,
  });
  return { vmId: payload.vmId, state: "stopped", forced };
};
