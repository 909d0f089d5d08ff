import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { line, parseLine, readLine, streamMac, ZStreamReply, type TStreamReply } from "./wire.ts";

export interface TSendRequest {
  volumeId: string;
  /** The volume's file on this host. */
  path: string;
  /** HOST:PORT of the destination agent's receiver. */
  address: string;
  token: string;
  /** MiB/s; 0 = unlimited. */
  bandwidthMiBps: number;
  connectTimeoutMs: number;
}

export interface TSendProgress {
  sent: number;
  total: number;
  mibPerSec: number;
}

export interface TSentVolume {
  bytes: number;
  sha256: string;
  /** The destination's path of its verified copy. */
  path: string;
  durationMs: number;
}

/** The stream broke or the destination refused: the source is untouched. */
export class StreamError extends Error {
  override name = "StreamError";
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * Streams a volume file to the destination's receiver: connects (retrying while the receiver has no
 * session for the volume yet), authenticates with the one-time token, sends the bytes at most at
 * `bandwidthMiBps`, then its sha256, and resolves once the destination confirmed a verified copy.
 * Rejects with StreamError when anything breaks; `signal` aborts (cancel).
 */
export async function sendVolume(request: TSendRequest, onProgress: (p: TSendProgress) => void, signal: AbortSignal): Promise<TSentVolume> {
  const total = (await stat(request.path)).size;
  const { socket, nonce } = await connectReady(request, total, signal);
  const onAbort = () => socket.destroy(new StreamError(`cancelled: ${String(signal.reason ?? "on request")}`));
  signal.addEventListener("abort", onAbort, { once: true });
  const started = performance.now();
  try {
    const hash = createHash("sha256");
    let sent = 0;
    const capBytesPerMs = request.bandwidthMiBps > 0 ? (request.bandwidthMiBps * 1024 * 1024) / 1000 : 0;
    let broken: Error | null = null;
    socket.once("error", (error) => (broken = error));
    socket.once("close", () => (broken ??= new StreamError("the destination closed the connection")));
    for await (const chunk of createReadStream(request.path, { highWaterMark: CHUNK_BYTES })) {
      const data = chunk as Buffer;
      if (broken) throw broken;
      hash.update(data);
      if (!socket.write(data)) await drained(socket);
      sent += data.length;
      const elapsed = performance.now() - started;
      if (capBytesPerMs > 0) {
        const ahead = sent / capBytesPerMs - elapsed;
        if (ahead > 0) await sleep(ahead, undefined, { signal }).catch(() => undefined);
      }
      onProgress({ sent, total, mibPerSec: sent / 1024 / 1024 / Math.max((performance.now() - started) / 1000, 0.001) });
    }
    if (broken) throw broken;
    if (sent !== total) throw new StreamError(`the volume file changed size while it was read (${sent} of ${total} bytes): is something writing to it?`);
    const sha256 = hash.digest("hex");
    socket.write(line({ sha256, mac: streamMac(request.token, "trailer", request.volumeId, nonce, sha256) }));
    const reply = await readReply(socket, 10 * 60_000);
    if (!reply.ok) throw new StreamError(`the destination did not accept the copy: ${reply.error}`);
    if (reply.sha256 !== sha256 || !reply.path) throw new StreamError("the destination confirmed a copy with another checksum: the source was kept");
    return { bytes: total, sha256, path: reply.path, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (signal.aborted) throw new StreamError(`cancelled: ${String(signal.reason ?? "on request")}`);
    throw error instanceof StreamError ? error : new StreamError(error instanceof Error ? error.message : String(error));
  } finally {
    signal.removeEventListener("abort", onAbort);
    socket.destroy();
  }
}

/**
 * Connects and proves the token (an HMAC over the receiver's nonce; the token itself never goes on
 * the wire); a receiver that is not waiting for the volume yet is retried until the timeout.
 */
async function connectReady(request: TSendRequest, total: number, signal: AbortSignal): Promise<{ socket: Socket; nonce: string }> {
  const deadline = Date.now() + request.connectTimeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (signal.aborted) throw new StreamError(`cancelled: ${String(signal.reason ?? "on request")}`);
    let socket: Socket | null = null;
    try {
      socket = await open(request.address);
      socket.write(line({ v: 1, volumeId: request.volumeId, bytes: total }));
      const hello = await readReply(socket, 30_000);
      if (hello.ok && hello.nonce) {
        socket.write(line({ proof: streamMac(request.token, "hello", request.volumeId, hello.nonce, total) }));
        const accepted = await readReply(socket, 30_000);
        if (accepted.ok) return { socket, nonce: hello.nonce };
        throw new StreamError(`the destination refused the stream: ${accepted.error}`);
      }
      socket.destroy();
      if (hello.ok) throw new StreamError("the destination did not send a nonce: is it running the same Carve version?");
      if (!hello.retry) throw new StreamError(`the destination refused the stream: ${hello.error}`);
      last = hello.error;
    } catch (error) {
      socket?.destroy();
      if (error instanceof StreamError) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(500);
  }
  throw new StreamError(`could not reach the destination's receiver at ${request.address} within ${Math.round(request.connectTimeoutMs / 1000)} s (${last})`);
}

function open(address: string): Promise<Socket> {
  const at = address.lastIndexOf(":");
  const host = address.slice(0, at).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(at + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.pause();
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

async function readReply(socket: Socket, timeoutMs: number): Promise<TStreamReply> {
  return parseLine(ZStreamReply, await readLine(socket, timeoutMs), "reply");
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      socket.off("drain", onDrain);
      socket.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new StreamError("the destination closed the connection"));
    socket.once("drain", onDrain);
    socket.once("close", onClose);
  });
}

