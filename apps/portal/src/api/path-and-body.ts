import { CarveError } from "@carve/core";

/**
 * A use-case's input from a JSON body and the resource the path names (`{ volume: id }`). The body
 * goes to core unparsed, so core's own check (control characters, strict fields) refuses and
 * audits it; a body that names the path's field itself is refused rather than silently overridden.
 */
export function pathAndBody(body: unknown, fromPath: Record<string, string>): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const named = Object.keys(fromPath).filter((field) => field in body);
  if (named.length > 0) {
    throw new CarveError("INVALID_INPUT", `Invalid input. ${named.map((f) => `${f}: is given by the path, not the body`).join("; ")}`, { fields: named.map((field) => ({ field, message: "is given by the path, not the body" })) });
  }
  return { ...body, ...fromPath };
}
