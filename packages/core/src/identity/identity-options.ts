import type { CoreDeps } from "../context.ts";

/** How sign-in failures are counted and for how long an account or address is paused. */
export interface TThrottlePolicy {
  /** Failed sign-ins of one username within the window before it is paused (default 5). */
  maxFailuresPerUser: number;
  /** Failed sign-ins from one client address within the window before it is paused (default 20). */
  maxFailuresPerAddress: number;
  /** Counting window, and how long a pause lasts (default 15 minutes). */
  windowMs: number;
}

/** Identity's own settings, parsed from each process's env.ts and passed down with the deps. */
export interface TIdentityOptions {
  /** Key for encrypted settings (CARVE_SECRET_KEY, see parseSecretKey); null when not given. */
  secretKey: Buffer | null;
  throttle: TThrottlePolicy;
  /**
   * Every failed sign-in takes at least this long, so an unknown user, a wrong local password
   * and a wrong directory password cannot be told apart by timing (default 300 ms).
   */
  failureFloorMs: number;
  /** How long a first-run setup token is valid (default 24 hours). */
  setupTokenTtlMs: number;
  /** LDAP connect and operation timeout (default 5 s). */
  ldapTimeoutMs: number;
}

export const DEFAULT_IDENTITY_OPTIONS: TIdentityOptions = {
  secretKey: null,
  throttle: { maxFailuresPerUser: 5, maxFailuresPerAddress: 20, windowMs: 15 * 60_000 },
  failureFloorMs: 300,
  setupTokenTtlMs: 24 * 3600_000,
  ldapTimeoutMs: 5_000,
};

/** Core's deps plus identity's options (optional: every default above applies without them). */
export interface TIdentityDeps extends CoreDeps {
  identity?: Partial<TIdentityOptions> | undefined;
}

/** The deps a front door hands to identity use-cases: core plus its identity options. */
export function withIdentity<D extends CoreDeps>(deps: D, options: Partial<TIdentityOptions>): D & { identity: Partial<TIdentityOptions> } {
  return { ...deps, identity: options };
}

/** The options in force, defaults filled in. */
export function identityOptions(deps: TIdentityDeps): TIdentityOptions {
  const given = deps.identity ?? {};
  return {
    ...DEFAULT_IDENTITY_OPTIONS,
    ...given,
    throttle: { ...DEFAULT_IDENTITY_OPTIONS.throttle, ...given.throttle },
  };
}
