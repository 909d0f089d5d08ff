import type { TJobHandler } from "./context.ts";
import { ensureRunning, powerOff, requireDomain } from "./power.ts";

/**
 * vm.reboot as a power cycle: graceful power-off (forced after rebootGracefulTimeoutSec), then
 * start. @unraid/libvirt has no virDomainReboot, and a cycle has the nice property that a retry
 * after a crash half-way (domain left off) simply starts it: the job converges on "running".
 */
export const vmReboot: TJobHandler<"vm.reboot"> = async (payload, ctx) => {
  const { hypervisor } = ctx;
  const domain = await requireDomain(hypervisor, payload.vmId);
  const { forced } = await powerOff(hypervisor, domain, {
    force: false,
    gracefulTimeoutSec: ctx.rebootGracefulTimeoutSec,
    pollIntervalMs: ctx.pollIntervalMs,
  });
  await ensureRunning(hypervisor, { ...domain, state: "stopped" });
  return { vmId: payload.vmId, state: "running", forced };
};
