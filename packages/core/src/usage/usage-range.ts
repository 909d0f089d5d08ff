import { z } from "zod";

/** Longest range one aggregation or report covers, so a typo in a year cannot scan decades. */
export const MAX_USAGE_RANGE_DAYS = 366;

const ZInstant = (field: string) =>
  z.iso
    .datetime({ offset: true, error: `must be an ISO 8601 date and time with a zone, e.g. 2026-11-02T00:00:00Z (the ${field} of the range)` })
    .transform((s) => new Date(s));

/** Compares the two ends only once both parsed (their own messages come first). */
const bothParsed = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/** The fields of a `[from, to)` range of instants: `from` inclusive, `to` exclusive. */
export const USAGE_RANGE_FIELDS = { from: ZInstant("start"), to: ZInstant("end, exclusive") };

/** `schema` (an object with USAGE_RANGE_FIELDS) refusing a range that is empty, backwards or too long. */
export function withRangeChecks<S extends z.ZodType<{ from: Date; to: Date }>>(schema: S): S {
  return schema
    .refine((r) => r.from < r.to, { path: ["to"], message: "must be after 'from'", ...bothParsed })
    .refine((r) => r.to.getTime() - r.from.getTime() <= MAX_USAGE_RANGE_DAYS * 86_400_000, {
      path: ["to"],
      message: `must be at most ${MAX_USAGE_RANGE_DAYS} days after 'from': split the range`,
      ...bothParsed,
    });
}

/** A `[from, to)` range (strict: an unknown field, from the REST API, is refused, never ignored). */
export const ZUsageRange = withRangeChecks(z.strictObject(USAGE_RANGE_FIELDS));
