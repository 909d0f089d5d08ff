import { ERROR_CODES, type TErrorCode } from "./codes.ts";

export interface TFieldError {
  field: string;
  message: string;
}

/**
 * The one error type of Carve's domain: a stable code, a message a user can act on (what failed,
 * why, what to do next) and, for bad input, the fields at fault.
 */
export class CarveError extends Error {
  readonly code: TErrorCode;
  readonly fields: TFieldError[];
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: TErrorCode,
    message: string,
    options: { fields?: TFieldError[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "CarveError";
    this.code = code;
    this.fields = options.fields ?? [];
    this.details = options.details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  /** Expected outcomes (bad input, quota, capacity) are answered, not logged as crashes. */
  get expected(): boolean {
    return ERROR_CODES[this.code].expected;
  }

  toJSON(): { code: TErrorCode; message: string; fields?: TFieldError[] } {
    return this.fields.length > 0
      ? { code: this.code, message: this.message, fields: this.fields }
      : { code: this.code, message: this.message };
  }
}

export function isCarveError(error: unknown): error is CarveError {
  return error instanceof CarveError;
}

/** Any thrown value as a CarveError; unknown errors become INTERNAL with a generic message. */
export function toCarveError(error: unknown): CarveError {
  if (isCarveError(error)) return error;
  return new CarveError("INTERNAL", "Carve hit an unexpected error; the details are in the server log.", {
    cause: error,
  });
}
