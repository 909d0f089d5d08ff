import type { z } from "zod";
import type { TFieldError } from "../errors/index.ts";
import { refuseControlChars } from "./control-chars.ts";
import { invalidInput } from "./invalid-input.ts";

type TIssue = z.core.$ZodIssue;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && !Number.isFinite(value)) return "not a finite number";
  const kind = typeof value;
  return kind === "object" ? "an object" : `a ${kind}`;
}

const EXPECTED: Record<string, string> = { int: "a whole number", number: "a number", string: "a string", boolean: "true or false", object: "an object", record: "an object", array: "an array" };

const fieldName = (path: readonly PropertyKey[]) => (path.length > 0 ? path.map(String).join(".") : "input");

/**
 * Each issue as the fields it is about. A missing value keeps the schema's own message ("is
 * required: …"), a value of the wrong type says the type expected (the schemas' `error` applies
 * to both), a choice given a value of another type says that type too, and each unknown field of a
 * strict object is named.
 */
function fieldsOf(issue: TIssue, input: unknown): TFieldError[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ field: fieldName([...issue.path, key]), message: "is not a field of this request: remove it (the API document lists the fields)" }));
  }
  if (issue.code === "invalid_type") {
    const value = valueAt(input, issue.path);
    // A date is sent as text and coerced: "not a string" would be wrong there, its own message says the format.
    if (value !== undefined && issue.expected !== "date") return [{ field: fieldName(issue.path), message: `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${kindOf(value)}` }];
  }
  if (issue.code === "invalid_value") {
    // An enum's own message lists the choices ("must be Admin or User"); 5 for it is also the wrong type.
    const value = valueAt(input, issue.path);
    if (value !== undefined && issue.values.length > 0 && issue.values.every((v) => typeof v !== typeof value)) return [{ field: fieldName(issue.path), message: `${issue.message}, not ${kindOf(value)}` }];
  }
  return [{ field: fieldName(issue.path), message: issue.message }];
}

/**
 * Validates a use-case's input. On failure throws INVALID_INPUT whose message names every field at
 * fault with its fix, so each front door can show it as it is. A string holding NUL (or another
 * control character: see refuseControlChars) is refused before the schema looks at it.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  refuseControlChars(input);
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidInput(parsed.error.issues.flatMap((issue) => fieldsOf(issue, input)));
}
