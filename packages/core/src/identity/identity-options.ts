import type { CoreDeps } from "../context.ts";

/** How sign-in failures are counted and what they pause (see login-throttle.ts). */
export interface TThrottlePolicy {
  /** Failed sign-ins of one username from one address before that pair backs off (default 5). */
  maxFailuresPerPair: number;
  /** The pair's first pause; each further failure doubles it, up to the window (default 30 s). */
  backoffMs: number;
  /** Failed sign-ins of one username from addresses it never signed in from, before such addresses are paused for it (default 10). */
  maxFailuresPerUser: number;
  /** Failed sign-ins from one address, of usernames never signed in from there, before it is paused for them (default 30). */
  maxFailuresPerAddress: number;
  /** Counting window, and how long a username's or an address's pause lasts (default 15 minutes). */
  windowMs: number;
  /** How long a successful sign-in keeps its address known good for that username (default 90 days). */
  knownAddressMs: number;
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
  throttle: { maxFailuresPerPair: 5, backoffMs: 30_000, maxFailuresPerUser: 10, maxFailuresPerAddress: 30, windowMs: 15 * 60_000, knownAddressMs: 90 * 24 * 3600_000 },
  failureFloorMs: 300,
  setupTokenTtlMs: 24 * 3600_000,
  ldapTimeoutMs: 5_000,
};

/** Identity options as a process or test gives them: any subset, the throttle's fields too. */
export type TIdentityOverrides = Partial<Omit<TIdentityOptions, "throttle">> & { throttle?: Partial<TThrottlePolicy> | undefined };

/** Core's deps plus identity's options (optional: every default above applies without them). */
export interface TIdentityDeps extends CoreDeps {
  identity?: TIdentityOverrides | undefined;
}

/** The deps a front door hands to identity use-cases: core plus its identity options. */
export function withIdentity<D extends CoreDeps>(deps: D, options: TIdentityOverrides): D & { identity: TIdentityOverrides } {
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
