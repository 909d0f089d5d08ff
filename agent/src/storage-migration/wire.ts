import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Socket } from "node:net";
import { z } from "zod";

/**
 * The volume stream between two agents, over one TCP connection. The one-time token never crosses
 * the network: the sender proves it holds it by an HMAC over a fresh nonce of the receiver's, and
 * seals the copy's digest with it, so a peer on the path can neither inject a stream nor alter one.
 *   sender → `{"v":1,"volumeId","bytes"}\n`         receiver → `{"ok":true,"nonce"}\n` (or an error line, then close)
 *   sender → `{"proof"}\n`                          receiver → `{"ok":true}\n` (or an error line, then close)
 *   sender → exactly `bytes` bytes of the volume file, then `{"sha256","mac"}\n`
 *   receiver → `{"ok":true,"path","sha256"}\n` once its copy is verified and in place (or an error line).
 * The bytes themselves are not encrypted (run it on the hosts' storage network).
 */
export const STREAM_VERSION = 1;
/** A header or reply line is small; anything longer is not a Carve peer. */
export const MAX_LINE_BYTES = 4096;

const ZHex64 = z.string().regex(/^[0-9a-f]{64}$/);
export const ZStreamHeader = z.object({ v: z.literal(STREAM_VERSION), volumeId: z.uuid(), bytes: z.number().int().min(0) });
export const ZStreamProof = z.object({ proof: ZHex64 });
export const ZStreamTrailer = z.object({ sha256: ZHex64, mac: ZHex64 });
export const ZStreamReply = z.union([
  z.object({ ok: z.literal(true), nonce: z.string().max(100).optional(), path: z.string().optional(), sha256: z.string().optional() }),
  /** `retry`: the receiver has no session for the volume yet (its job has not started): try again shortly. */
  z.object({ ok: z.literal(false), error: z.string().max(2000), retry: z.boolean().default(false) }),
]);
export type TStreamReply = z.infer<typeof ZStreamReply>;

export function line(message: object): string {
  return `${JSON.stringify(message)}\n`;
}

export function newNonce(): string {
  return randomBytes(24).toString("base64url");
}

/** HMAC-SHA256 keyed by the one-time token over this stream's facts (what the proof or the trailer vouches for). */
export function streamMac(token: string, ...facts: (string | number)[]): string {
  return createHmac("sha256", token).update(facts.join("|")).digest("hex");
}

/** Constant-time comparison of two hex MACs. */
export function sameMac(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, "hex");
  const b = Buffer.from(actual, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Reads one `\n`-terminated line from a paused socket, unshifting whatever follows it back.
 * Rejects when the socket ends first, the line is too long, or `timeoutMs` passes.
 */
export async function readLine(socket: Socket, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let buffered = Buffer.alloc(0);
  for (;;) {
    const chunk = await readChunk(socket, Math.max(1, deadline - Date.now()));
    if (chunk === null) throw new Error("the connection closed");
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf(0x0a);
    if (end >= 0) {
      const rest = buffered.subarray(end + 1);
      if (rest.length > 0) socket.unshift(rest);
      return buffered.subarray(0, end).toString("utf8");
    }
    if (buffered.length > MAX_LINE_BYTES) throw new Error(`the peer sent a line longer than ${MAX_LINE_BYTES} bytes: not a Carve volume stream`);
  }
}

/** Parses a line as JSON against `schema`, with a message naming what was expected. */
export function parseLine<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`the peer's ${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`the peer's ${what} is malformed: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** Bytes as MiB with one decimal, for progress and messages. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/**
 * The next chunk a paused socket has, waiting for one; null when the peer ended the stream.
 * Rejects on a socket error or when nothing arrives for `idleMs` (a stalled peer).
 */
export function readChunk(socket: Socket, idleMs: number): Promise<Buffer | null> {
  const ready = socket.read() as Buffer | null;
  if (ready !== null) return Promise.resolve(ready);
  if (socket.readableEnded || socket.destroyed) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, value: Buffer | null = null) => {
      clearTimeout(timer);
      socket.off("readable", onReadable);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
      if (error) reject(error);
      else resolve(value);
    };
    const onReadable = () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk !== null) done(null, chunk);
    };
    const onEnd = () => done(null, null);
    const onError = (error: Error) => done(error);
    const timer = setTimeout(() => done(new Error(`the peer sent nothing for ${Math.round(idleMs / 1000)} s`)), idleMs);
    socket.on("readable", onReadable);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    socket.once("error", onError);
  });
}
