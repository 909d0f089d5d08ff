import { domainName } from "@carve/protocol";
import type { TDomainStatus, THypervisor } from "../hypervisor/hypervisor.ts";
import { JobRefusedError } from "../jobs/job-errors.ts";

/** The VM's domain, or a refusal saying it is not defined on this host. */
export async function requireDomain(hypervisor: THypervisor, vmId: string): Promise<TDomainStatus> {
  const name = domainName(vmId);
  const domain = await hypervisor.getDomain(name);
  if (domain === null) {
    throw new JobRefusedError(`VM ${vmId} has no domain (${name}) on this host: it was never created here or was destroyed`);
  }
  return domain;
}

/** Starts (or resumes) the domain unless it already runs. */
export async function ensureRunning(hypervisor: THypervisor, domain: TDomainStatus): Promise<void> {
  if (domain.state === "running") return;
  if (domain.state === "paused") await hypervisor.resumeDomain(domain.name);
  else await hypervisor.startDomain(domain.name);
}

/** How to power a domain off. */
export interface TPowerOffOptions {
  /** Pull the plug at once. */
  force: boolean;
  /** Seconds to wait for the guest after the ACPI request before pulling the plug. */
  gracefulTimeoutSec: number;
  pollIntervalMs: number;
}

/**
 * Powers the domain off: ACPI shutdown, poll until it is off, and destroy it when the guest has
 * not complied within the timeout (or at once with `force`). Returns whether it was forced.
 */
export async function powerOff(hypervisor: THypervisor, domain: TDomainStatus, options: TPowerOffOptions): Promise<{ forced: boolean }> {
  if (domain.state === "stopped") return { forced: false };
  // A paused guest cannot react to ACPI; waiting for it would only burn the timeout.
  if (!options.force && domain.state !== "paused") {
    await hypervisor.shutdownDomain(domain.name);
    const deadline = Date.now() + options.gracefulTimeoutSec * 1000;
    for (;;) {
      const current = await hypervisor.getDomain(domain.name);
      if (current === null || current.state === "stopped") return { forced: false };
      if (Date.now() >= deadline) break;
      await sleep(Math.min(options.pollIntervalMs, Math.max(0, deadline - Date.now())));
    }
  }
  await hypervisor.destroyDomain(domain.name);
  return { forced: true };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
