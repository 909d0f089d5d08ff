import { ERROR_CODES, type TErrorCode } from "./codes.ts";
import { renderWays, type TFrontDoor } from "./front-door-ways.ts";

export interface TFieldError {
  field: string;
  message: string;
}

/**
 * The one error type of Carve's domain: a stable code, a message a user can act on (what failed,
 * why, what to do next) and, for bad input, the fields at fault. Lookups a message names with
 * `way()` read as the CLI's in `message` and `fields`, and as each front door's in forDoor().
 */
export class CarveError extends Error {
  readonly code: TErrorCode;
  readonly fields: TFieldError[];
  readonly details: Record<string, unknown> | undefined;
  private readonly written: { message: string; fields: TFieldError[] };

  constructor(
    code: TErrorCode,
    message: string,
    options: { fields?: TFieldError[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(renderWays(message, "cli"), { cause: options.cause });
    this.name = "CarveError";
    this.code = code;
    this.written = { message, fields: options.fields ?? [] };
    this.fields = this.written.fields.map((f) => ({ field: f.field, message: renderWays(f.message, "cli") }));
    this.details = options.details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  /** Expected outcomes (bad input, quota, capacity) are answered, not logged as crashes. */
  get expected(): boolean {
    return ERROR_CODES[this.code].expected;
  }

  /** The error as `door` answers it: its message and fields naming that door's own ways. */
  forDoor(door: TFrontDoor): { code: TErrorCode; message: string; fields?: TFieldError[] } {
    const message = renderWays(this.written.message, door);
    const fields = this.written.fields.map((f) => ({ field: f.field, message: renderWays(f.message, door) }));
    return fields.length > 0 ? { code: this.code, message, fields } : { code: this.code, message };
  }

  toJSON(): { code: TErrorCode; message: string; fields?: TFieldError[] } {
    return this.forDoor("cli");
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
