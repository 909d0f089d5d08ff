/**
 * A `?name=true|false` query parameter as core's boolean (undefined when absent); any other text
 * goes to core as it is, so core's schema refuses it naming the field.
 */
export function queryFlag(request: Request, name: string): unknown {
  const value = new URL(request.url).searchParams.get(name);
  return value === null ? undefined : value === "true" ? true : value === "false" ? false : value;
}
