/** One answer of the REST API: its status and JSON body (`{}` when it has none). */
export interface TApiAnswer {
  status: number;
  // Tests read whatever the answer holds; the shapes are asserted with toMatchObject.
  body: Record<string, any>;
}

/** Calls the portal's REST API as an API key's user; a body is sent as JSON. */
export function apiClient(portalUrl: string, key: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TApiAnswer> => {
    const response = await fetch(`${portalUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Record<string, any>) };
  };
}
