/**
 * A `?name=true|false` query parameter as core's boolean (undefined when absent); any other text
 * goes to core as it is, whose strict input refuses it naming the field.
 */
export function queryBoolean(request: Request, name: string): unknown {
  const value = new URL(request.url).searchParams.get(name);
  return value === null ? undefined : value === "true" ? true : value === "false" ? false : value;
}
