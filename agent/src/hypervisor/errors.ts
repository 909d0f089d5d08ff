/**
 * Errors every Hypervisor implementation throws. The split that matters to the worker is whether
 * trying again can help: a refusal (invalid XML, unknown pool, missing template) fails the job for
 * good with libvirt's own words; a transient error (connection lost, session died) is retried.
 */
export class HypervisorError extends Error {
  private constructor(
    message: string,
    /** True when retrying the same call later may succeed. */
    readonly transient: boolean,
    /** libvirt's (or virsh's) own message, untouched, for logs and for the user; "" when libvirt said nothing. */
    readonly libvirtMessage: string,
  ) {
    super(message);
    this.name = "HypervisorError";
  }

  /** Retrying cannot help: the job fails for good with `message`. `libvirtMessage`: libvirt's own words, when it gave any. */
  static refusal(message: string, libvirtMessage = ""): HypervisorError {
    return new HypervisorError(message, false, libvirtMessage);
  }

  /** The connection or session, not the request, failed: the job is retried. */
  static transient(message: string, libvirtMessage = ""): HypervisorError {
    return new HypervisorError(message, true, libvirtMessage);
  }

  /** A refusal or a transient error as libvirt's own message tells (see isTransientLibvirtMessage). */
  static fromLibvirt(message: string, libvirtMessage: string): HypervisorError {
    return new HypervisorError(message, isTransientLibvirtMessage(libvirtMessage), libvirtMessage);
  }
}

/** Messages libvirt uses when the connection, not the request, is the problem. */
const TRANSIENT_PATTERNS: readonly RegExp[] = [
  /cannot recv data/i,
  /cannot write data/i,
  /end of file while reading data/i,
  /client socket is closed/i,
  /failed to connect/i,
  /failed to reconnect/i,
  /unable to connect/i,
  /no connection driver available/i,
  /connection (?:reset|refused|closed)/i,
  /broken pipe/i,
  /timed out/i,
  /is not connected|no valid connection|invalid connection pointer/i,
];

/** True when a libvirt message describes a lost or unavailable connection. */
export function isTransientLibvirtMessage(message: string): boolean {
  return TRANSIENT_PATTERNS.some((pattern) => pattern.test(message));
}

/**
 * Wraps a libvirt failure: `what` says which request was refused, in words a user can act on
 * ("libvirt refused the domain definition"); the libvirt message follows after a colon.
 */
export function libvirtFailure(what: string, libvirtMessage: string): HypervisorError {
  const lead = isTransientLibvirtMessage(libvirtMessage) ? `${what} failed because the libvirt connection is unavailable` : what;
  return HypervisorError.fromLibvirt(`${lead}: ${libvirtMessage}`, libvirtMessage);
}

/** The message of anything thrown, for wrapping. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * libvirt's refusal to create a volume that is there already: the test driver says "already
 * exists", directory pools on a real libvirtd "exists already".
 */
export function isVolumeExists(error: unknown): boolean {
  return error instanceof HypervisorError && /already exists|exists already/i.test(error.libvirtMessage);
}

/** libvirt's refusal to define a domain whose name another domain (another UUID) already has. */
export function isDomainClash(error: unknown): boolean {
  return error instanceof HypervisorError && /already exists with uuid/i.test(error.libvirtMessage);
}
