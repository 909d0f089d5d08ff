import type { z } from "zod";
import { CarveError } from "../errors/index.ts";

/**
 * Validates a use-case's input. On failure throws INVALID_INPUT whose message names every field at
 * fault with its fix, so each front door can show it as it is.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join(".") : "input",
    message: issue.message,
  }));
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  throw new CarveError("INVALID_INPUT", `Invalid input. ${summary}`, { fields });
}
