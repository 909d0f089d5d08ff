import { startSession, type CoreDeps, type TUserActor } from "@carve/core";
import { WebSocket } from "ws";

type TEncode = (params: { token: Record<string, unknown>; secret: string }) => Promise<string>;
/** A computed specifier, as in upgrade-checks.ts: next-auth/jwt's declarations would force Next's globals on test/. */
const nextAuthJwt = "next-auth/jwt";

/** The portal's session cookie for `user`, as next-auth writes it after sign-in (signed with the portal's NEXTAUTH_SECRET). */
export async function portalSessionCookie(deps: CoreDeps, user: TUserActor, secret: string): Promise<string> {
  const { sessionToken } = await startSession(deps, { userId: user.userId });
  const { encode } = (await import(nextAuthJwt)) as { encode: TEncode };
  const value = await encode({ token: { carve: { sessionToken, userId: user.userId, username: user.username, role: user.role } }, secret });
  return `other=1; next-auth.session-token=${value}`;
}

/** A browser's side of one console socket, as the console page holds it. */
export interface TConsoleClient {
  ws: WebSocket;
  /** Messages received and not yet taken by `next` (text as strings, binary as Buffers). */
  messages: (string | Buffer)[];
  /** The next message (waits for one). */
  next(): Promise<string | Buffer>;
  closed: Promise<{ code: number; reason: string }>;
}

/**
 * Opens a WebSocket to the console proxy at `url` as the console page does (subprotocol `binary`)
 * with `headers` (Origin, Cookie); resolves once open, or rejects with the refused upgrade's status.
 */
export async function openConsoleSocket(url: string, headers: Record<string, string>): Promise<TConsoleClient> {
  const ws = new WebSocket(url, ["binary"], { headers });
  const messages: (string | Buffer)[] = [];
  let wake = () => {};
  ws.on("message", (data: Buffer, isBinary) => {
    messages.push(isBinary ? data : data.toString());
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once("error", reject);
  });
  const next = async (): Promise<string | Buffer> => {
    while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return messages.shift() as string | Buffer;
  };
  return { ws, messages, next, closed };
}

/** Sends a console link as the page's first message and reads the proxy's answer (`ready` or `refused`). */
export async function presentConsoleLink(client: TConsoleClient, token: string): Promise<{ type: string; code?: string; message?: string; kind?: string; vm?: string }> {
  client.ws.send(JSON.stringify({ token }));
  return JSON.parse(String(await client.next())) as { type: string };
}
