// Signing in to the portal over plain HTTP, as the sign-in form does (next-auth's credentials
// callback), with any extra request headers (a forged X-Forwarded-For, a proxy's X-Request-Id).

export interface THttpSignIn {
  /** True when a session cookie was issued. */
  ok: boolean;
  /** The message the sign-in form would show (null on success). */
  error: string | null;
  /** The request id the portal answered with (x-request-id). */
  requestId: string | null;
  /** The cookies to send with further requests as this user. */
  cookie: string;
}

const cookiesOf = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");

export async function signInOverHttp(url: string, username: string, password: string, headers: Record<string, string> = {}): Promise<THttpSignIn> {
  const csrf = await fetch(`${url}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookies = cookiesOf(csrf);
  const response = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies.join("; ") },
    body: new URLSearchParams({ csrfToken, username, password, callbackUrl: `${url}/vms`, json: "true" }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as { url?: string };
  const error = body.url ? new URL(body.url).searchParams.get("error") : "no answer";
  const cookies = [...csrfCookies, ...cookiesOf(response)];
  return { ok: response.ok && !error, error, requestId: response.headers.get("x-request-id"), cookie: cookies.join("; ") };
}
