/** The query parameters of `names` the request has, as core's input (a repeated one: its first value). */
export function queryParams(request: Request, names: readonly string[]): Record<string, string> {
  const search = new URL(request.url).searchParams;
  return Object.fromEntries(names.flatMap((name) => {
    const value = search.get(name);
    return value === null ? [] : [[name, value]];
  }));
}

/** `?name=true|false` as core's boolean (absent: undefined); any other text goes to core as it is, which refuses it. */
export function queryFlag(request: Request, name: string): unknown {
  const value = new URL(request.url).searchParams.get(name);
  return value === null ? undefined : value === "true" ? true : value === "false" ? false : value;
}
