/**
 * Every error code Carve can answer with, its HTTP status and whether it is an expected outcome
 * (bad input, quota, capacity: not logged as a crash).
 */
export const ERROR_CODES = {
  /** Input failed validation; `fields` names each field and its fix. */
  INVALID_INPUT: { http: 400, expected: true },
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
  OFFERING_NOT_FOUND: { http: 404, expected: true },
  HOST_NOT_FOUND: { http: 404, expected: true },
  POOL_NOT_FOUND: { http: 404, expected: true },
  JOB_NOT_FOUND: { http: 404, expected: true },
  USER_NOT_FOUND: { http: 404, expected: true },
  /** Something with that name already exists. */
  ALREADY_EXISTS: { http: 409, expected: true },
  /** No host can take the VM; the message explains each host. */
  NO_CAPACITY: { http: 409, expected: true },
  QUOTA_EXCEEDED: { http: 409, expected: true },
  /** The hypervisor or agent failed the job; the message carries its reason. */
  AGENT_ERROR: { http: 502, expected: true },
  /** A job did not finish in time. */
  TIMEOUT: { http: 504, expected: true },
  /** A bug or an unreachable dependency. */
  INTERNAL: { http: 500, expected: false },
} as const;

export type TErrorCode = keyof typeof ERROR_CODES;
