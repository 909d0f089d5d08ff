import { CarveError, type TFieldError } from "../errors/index.ts";

/** INVALID_INPUT naming each field at fault and its fix, in the message and in `fields`. */
export function invalidInput(fields: TFieldError[]): CarveError {
  return new CarveError("INVALID_INPUT", `Invalid input. ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`, { fields });
}
