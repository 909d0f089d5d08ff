/**
 * Every error code Carve can answer with, its HTTP status and whether it is an expected outcome
 * (bad input, quota, capacity: not logged as a crash).
 */
export const ERROR_CODES = {
  /** Input failed validation; `fields` names each field and its fix. */
  INVALID_INPUT: { http: 400, expected: true },
  /** No such route in the REST API (see /api/v1/openapi.json). */
  NOT_FOUND: { http: 404, expected: true },
  /** The route exists but not with this method; the `Allow` header lists the ones it has. */
  METHOD_NOT_ALLOWED: { http: 405, expected: true },
  /** The request body is larger than the API accepts; the message names the limit. */
  PAYLOAD_TOO_LARGE: { http: 413, expected: true },
  /** The request body is not JSON (`Content-Type: application/json`). */
  UNSUPPORTED_MEDIA_TYPE: { http: 415, expected: true },
  /** The caller is not signed in or the credential is not valid. */
  UNAUTHENTICATED: { http: 401, expected: true },
  /** The caller is signed in but may not do this. */
  FORBIDDEN: { http: 403, expected: true },
  /** No VM with that id or name is visible to the caller. */
  VM_NOT_FOUND: { http: 404, expected: true },
  /** A name is already taken by a live VM of the same owner. */
  VM_NAME_TAKEN: { http: 409, expected: true },
  /** Another job is already changing this VM; wait for it. */
  VM_BUSY: { http: 409, expected: true },
  /** The VM's state does not allow the action (e.g. start a running VM). */
  INVALID_STATE: { http: 409, expected: true },
  TEMPLATE_NOT_FOUND: { http: 404, expected: true },
  TEMPLATE_NOT_READY: { http: 409, expected: true },
  /** A template's source URL is not allowed (scheme, host not on the allow-list, internal address); the message names the setting to change. */
  TEMPLATE_SOURCE_REFUSED: { http: 400, expected: true },
  /** Live VMs still use the template; the message lists them. */
  TEMPLATE_IN_USE: { http: 409, expected: true },
  OFFERING_NOT_FOUND: { http: 404, expected: true },
  HOST_NOT_FOUND: { http: 404, expected: true },
  POOL_NOT_FOUND: { http: 404, expected: true },
  /** No network with that name or id (see `carve network list`). */
  NETWORK_NOT_FOUND: { http: 404, expected: true },
  /**
   * The VM's network has no free address in its range: the message names the network, its CIDR,
   * range and size, how many addresses VMs use, and how to make room. Nothing was created.
   */
  NETWORK_FULL: { http: 409, expected: true },
  /**
   * A network's addressing (CIDR, gateway, range) or hosts cannot change that way while VMs use
   * it; the message lists the VMs the change would strand. Nothing was changed.
   */
  NETWORK_IN_USE: { http: 409, expected: true },
  JOB_NOT_FOUND: { http: 404, expected: true },
  /** No drift item with that id (see `carve drift list`). */
  DRIFT_NOT_FOUND: { http: 404, expected: true },
  USER_NOT_FOUND: { http: 404, expected: true },
  /** Something with that name already exists. */
  ALREADY_EXISTS: { http: 409, expected: true },
  /** No host can take the VM; the message explains each host. */
  NO_CAPACITY: { http: 409, expected: true },
  QUOTA_EXCEEDED: { http: 409, expected: true },
  /** Too many requests at once: the database had no connection free in time. Nothing changed; retry. */
  BUSY: { http: 503, expected: true },
  /** The hypervisor or agent failed the job; the message carries its reason. */
  AGENT_ERROR: { http: 502, expected: true },
  /** A job did not finish in time. */
  TIMEOUT: { http: 504, expected: true },
  /** Unknown username or wrong password: one answer for both, so names cannot be probed. */
  INVALID_CREDENTIALS: { http: 401, expected: true },
  /** Too many failed sign-ins for this username or client address; the message says when to retry. */
  THROTTLED: { http: 429, expected: true },
  /** The account exists but is disabled (by an admin, or because the directory disabled it). */
  ACCOUNT_DISABLED: { http: 403, expected: true },
  /** The LDAP server cannot be reached (down, wrong address, timeout); local accounts still work. */
  DIRECTORY_UNREACHABLE: { http: 503, expected: true },
  /** The TLS handshake with the LDAP server failed (untrusted or wrong CA, name mismatch). */
  DIRECTORY_TLS_FAILED: { http: 503, expected: true },
  /** The directory settings are missing or wrong (service bind refused, insecure URL not allowed). */
  DIRECTORY_MISCONFIGURED: { http: 503, expected: true },
  /** An encrypted setting cannot be decrypted (secret key changed or missing); the message names it. */
  SECRET_UNREADABLE: { http: 500, expected: true },
  /** The first-run setup token is unknown, used or expired. */
  SETUP_TOKEN_INVALID: { http: 401, expected: true },
  /** No API key with that id or prefix belongs to the caller. */
  API_KEY_NOT_FOUND: { http: 404, expected: true },
  /** The API key is unknown, revoked or expired, or lacks the scope the request needs. */
  API_KEY_INVALID: { http: 401, expected: true },
  /** The session was ended (signed out everywhere, password reset, account disabled): sign in again. */
  SESSION_EXPIRED: { http: 401, expected: true },
  /** A host join token is unknown, already used, expired, or its host was removed; the message says which and how to get a new one. */
  JOIN_TOKEN_INVALID: { http: 401, expected: true },
  /**
   * A host, pool or offering cannot be deleted while something still uses it (VMs, volumes,
   * template copies being made); the message lists them and the order to remove them in, and
   * `details` carries `dependents` and `order`. Nothing was changed.
   */
  HAS_DEPENDENTS: { http: 409, expected: true },
  /** No SSH key with that name or id belongs to the caller (see `carve sshkey list`). */
  SSH_KEY_NOT_FOUND: { http: 404, expected: true },
  /** The VM's template does not declare the guest feature asked for (password reset, cloud-init); the message names what the template needs. */
  GUEST_FEATURE_UNSUPPORTED: { http: 409, expected: true },
  /** The VM's host has not published its agent's public key yet, so no secret can be sealed to it. */
  HOST_KEY_UNKNOWN: { http: 503, expected: true },
  /** The generated password is not set in the guest yet: its job is still running. */
  PASSWORD_NOT_READY: { http: 409, expected: true },
  /** No password to show: it was already shown once, expired (10 minutes), or its job failed. */
  PASSWORD_NOT_AVAILABLE: { http: 410, expected: true },
  /** No volume with that id or name is visible to the caller (see `carve volume list`). */
  VOLUME_NOT_FOUND: { http: 404, expected: true },
  /** No active disk offering with that name or id (see `carve disk-offering list`). */
  DISK_OFFERING_NOT_FOUND: { http: 404, expected: true },
  /**
   * The volume lives where the VM's host cannot reach it (another host's local pool, or a shared
   * pool that host does not see); details carry { volume, fromHost, toHost, suggestedPools } and
   * the message the `carve volume migrate` command that fixes it.
   */
  VOLUME_ON_OTHER_HOST: { http: 409, expected: true },
  /** A request key (the API's Idempotency-Key) was used before, within 24 hours, for a different request. */
  REQUEST_KEY_REUSED: { http: 422, expected: true },
  /** The same request key arrived twice at once; repeating the request answers the first one's result. */
  DUPLICATE_REQUEST: { http: 409, expected: true },
  /** The CLI is logged in to a remote server and this command works only on the management server itself. */
  LOCAL_ONLY: { http: 400, expected: true },
  /** The CLI could not reach the Carve server it is logged in to (or did not get an answer from Carve). */
  SERVER_UNREACHABLE: { http: 503, expected: true },
  // security groups (issue 17)
  /** No security group with that name or id among the ones the caller may manage (see `carve sg list`). */
  SECURITY_GROUP_NOT_FOUND: { http: 404, expected: true },
  /** The group has no rule with that id (see `carve sg show GROUP`). */
  SECURITY_RULE_NOT_FOUND: { http: 404, expected: true },
  // console (issue 18)
  /** The VM's host cannot serve a console now (Disconnected, in maintenance): the message names it and what to do. */
  CONSOLE_UNAVAILABLE: { http: 503, expected: true },
  /** A console link's token is unknown: forged, mistyped or cut short. */
  CONSOLE_TOKEN_INVALID: { http: 401, expected: true },
  /** A console link was already used (each opens one console). */
  CONSOLE_TOKEN_USED: { http: 410, expected: true },
  /** A console link was not used within its 60 seconds. */
  CONSOLE_TOKEN_EXPIRED: { http: 410, expected: true },
  /** The console session (or unused link) ended: its VM stopped, moved or was destroyed, or its user lost access; the message says which. */
  CONSOLE_SESSION_ENDED: { http: 410, expected: true },
  /** A console link was opened from another network address than the one it was made for. */
  CONSOLE_TOKEN_OTHER_CLIENT: { http: 403, expected: true },
  /** A console link was opened by a user who is neither the one it was made for nor an admin (or who lost access to the VM). */
  CONSOLE_TOKEN_OTHER_USER: { http: 403, expected: true },
  // day-2: a host declared dead (issue 19)
  /** The host still heartbeats (or did within the grace period): it cannot be declared dead; the message gives its last beat. */
  HOST_ALIVE: { http: 409, expected: true },
  /** The admin's fencing command (settings fencing) did not exit 0 in time: nothing was changed; the message holds its output's tail. */
  FENCING_FAILED: { http: 502, expected: true },
  /** A bug or an unreachable dependency. */
  INTERNAL: { http: 500, expected: false },
} as const;

export type TErrorCode = keyof typeof ERROR_CODES;
