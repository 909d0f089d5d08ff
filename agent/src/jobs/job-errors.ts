import { UnrecoverableError } from "bullmq";
import { HypervisorError } from "../hypervisor/errors.ts";

/**
 * A request the agent will never be able to carry out as sent (its VM's domain does not exist on
 * this host, a name collides): failing it again later cannot help.
 */
export class JobRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobRefusedError";
  }
}

/**
 * Maps whatever a handler threw to what BullMQ should do with it: refusals (ours or libvirt's
 * deterministic ones) become UnrecoverableError so the job fails at once with that message;
 * transient hypervisor errors and anything unexpected stay plain Errors so BullMQ retries them.
 */
export function toJobError(error: unknown): Error {
  if (error instanceof UnrecoverableError) return error;
  if (error instanceof JobRefusedError) return new UnrecoverableError(error.message);
  if (error instanceof HypervisorError) {
    return error.transient ? new Error(error.message) : new UnrecoverableError(error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
