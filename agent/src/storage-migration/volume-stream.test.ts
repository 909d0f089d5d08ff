import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, expect, it } from "vitest";
import { VolumeReceiver, type TReceiverHypervisor } from "./receiver.ts";
import { sendVolume } from "./sender.ts";
import { line, readLine, streamMac } from "./wire.ts";

let dir: string;
let pool: string;
let receiver: VolumeReceiver;
let address: string;
const never = new AbortController().signal;

/** One directory pool "p", as the receiver sees it through the hypervisor. */
function fakeHypervisor(path: string): TReceiverHypervisor {
  return {
    listPoolDetails: async () => [{ name: "p", type: "dir", path, active: true, capacityBytes: 1, allocationBytes: 0, availableBytes: 1 }],
    listVolumes: async () => readdir(path),
    refreshPool: async () => undefined,
    volumePath: async (_pool, name) => join(path, name),
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "carve-stream-"));
  pool = join(dir, "pool");
  await mkdir(pool);
  receiver = new VolumeReceiver(fakeHypervisor(pool), pino({ level: "silent" }));
  address = await receiver.listen({ host: "127.0.0.1", port: 0 });
});
afterEach(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

async function sourceFile(bytes: number): Promise<{ path: string; sha256: string; data: Buffer }> {
  const data = randomBytes(bytes);
  const path = join(dir, `source-${randomUUID()}`);
  await writeFile(path, data);
  return { path, data, sha256: createHash("sha256").update(data).digest("hex") };
}

const token = () => randomBytes(32).toString("base64url");

it("streams a volume into the pool under its name, verified by sha256, with progress up to the total", async () => {
  const source = await sourceFile(5 * 1024 * 1024 + 123);
  const volumeId = randomUUID();
  const t = token();
  const received = receiver.receive({ volumeId, pool: "p", name: "vol-a", token: t, waitMs: 10_000 }, never);
  const progress: number[] = [];
  const sent = await sendVolume({ volumeId, path: source.path, address, token: t, bandwidthMiBps: 0, connectTimeoutMs: 10_000 }, (p) => progress.push(p.sent), never);
  expect(sent).toMatchObject({ bytes: source.data.length, sha256: source.sha256, path: join(pool, "vol-a") });
  expect(await received).toEqual({ path: join(pool, "vol-a"), bytes: source.data.length, sha256: source.sha256 });
  expect((await readFile(join(pool, "vol-a"))).equals(source.data)).toBe(true);
  expect(await readdir(pool)).toEqual(["vol-a"]);
  expect(progress.at(-1)).toBe(source.data.length);
});

it("accepts only the volume's one-time token, once; a sender that comes before the receiver is ready retries", async () => {
  const source = await sourceFile(64 * 1024);
  const volumeId = randomUUID();
  const t = token();
  // Nothing is waiting yet: the sender keeps asking until the receive starts.
  const early = sendVolume({ volumeId, path: source.path, address, token: t, bandwidthMiBps: 0, connectTimeoutMs: 10_000 }, () => undefined, never);
  await new Promise((resolve) => setTimeout(resolve, 700));
  const received = receiver.receive({ volumeId, pool: "p", name: "vol-b", token: t, waitMs: 10_000 }, never);
  await expect(early).resolves.toMatchObject({ sha256: source.sha256 });
  await received;

  const other = receiver.receive({ volumeId, pool: "p", name: "vol-c", token: token(), waitMs: 10_000 }, never);
  await expect(sendVolume({ volumeId, path: source.path, address, token: t, bandwidthMiBps: 0, connectTimeoutMs: 2_000 }, () => undefined, never)).rejects.toThrow(
    "the destination refused the stream: the stream token is wrong or was already used",
  );
  // Expect before closing: the rejection must never be unhandled, even for a moment.
  const stopped = expect(other).rejects.toThrow("the agent is stopping");
  await receiver.close();
  await stopped;
  expect(await readdir(pool)).toEqual(["vol-b"]);
});

/** A raw peer that proves the token: connected, past the handshake, with the receiver's nonce. */
async function handshake(volumeId: string, t: string, total: number): Promise<{ socket: Socket; nonce: string }> {
  const at = address.lastIndexOf(":");
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ host: address.slice(0, at), port: Number(address.slice(at + 1)) }, () => resolve(s));
    s.once("error", reject);
  });
  socket.pause();
  socket.write(line({ v: 1, volumeId, bytes: total }));
  const { nonce } = JSON.parse(await readLine(socket, 5_000)) as { nonce: string };
  socket.write(line({ proof: streamMac(t, "hello", volumeId, nonce, total) }));
  expect(await readLine(socket, 5_000)).toBe('{"ok":true}');
  return { socket, nonce };
}

/** Sends `body` after the handshake, then (optionally) a trailer, and returns the receiver's last line. */
async function rawSend(volumeId: string, t: string, total: number, body: Buffer, trailer: { sha256: string; macToken: string } | null): Promise<string> {
  const { socket, nonce } = await handshake(volumeId, t, total);
  socket.write(body);
  if (trailer === null) {
    socket.destroy();
    return "";
  }
  socket.write(line({ sha256: trailer.sha256, mac: streamMac(trailer.macToken, "trailer", volumeId, nonce, trailer.sha256) }));
  const reply = await readLine(socket, 5_000);
  socket.destroy();
  return reply;
}

it("a sender that vanishes mid-stream, a copy whose checksum differs, or a checksum not sealed with the token leaves nothing in the pool", async () => {
  const data = randomBytes(256 * 1024);
  const volumeId = randomUUID();
  const t = token();
  const first = receiver.receive({ volumeId, pool: "p", name: "vol-d", token: t, waitMs: 10_000 }, never);
  await rawSend(volumeId, t, data.length, data.subarray(0, 1000), null);
  await expect(first).rejects.toThrow(/stream ended after|closed/);
  expect(await readdir(pool)).toEqual([]);

  const t2 = token();
  const second = receiver.receive({ volumeId, pool: "p", name: "vol-d", token: t2, waitMs: 10_000 }, never);
  const reply = await rawSend(volumeId, t2, data.length, data, { sha256: "0".repeat(64), macToken: t2 });
  expect(reply).toContain("differs from the source's");
  await expect(second).rejects.toThrow("differs from the source's");
  expect(await readdir(pool)).toEqual([]);

  // Right bytes and digest, but the digest is not vouched for by the token (altered on the way).
  const t3 = token();
  const third = receiver.receive({ volumeId, pool: "p", name: "vol-d", token: t3, waitMs: 10_000 }, never);
  const sha256 = createHash("sha256").update(data).digest("hex");
  expect(await rawSend(volumeId, t3, data.length, data, { sha256, macToken: token() })).toContain("not sealed with the stream token");
  await expect(third).rejects.toThrow("tampered");
  expect(await readdir(pool)).toEqual([]);
});

it("cancel (abort) stops a receive that is under way and removes its partial; stale partials go at start", async () => {
  const volumeId = randomUUID();
  const t = token();
  const controller = new AbortController();
  const receiving = receiver.receive({ volumeId, pool: "p", name: "vol-e", token: t, waitMs: 10_000 }, controller.signal);
  const { socket } = await handshake(volumeId, t, 10_000_000);
  socket.on("error", () => undefined);
  socket.write(randomBytes(4096));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await readdir(pool)).toEqual(["vol-e.partial"]);
  controller.abort("cancel requested");
  await expect(receiving).rejects.toThrow("cancelled: cancel requested");
  expect(await readdir(pool)).toEqual([]);
  socket.destroy();

  await writeFile(join(pool, "vol-f.partial"), "half");
  await writeFile(join(pool, "vol-g"), "whole");
  expect(await receiver.removeStalePartials()).toBe(1);
  expect(await readdir(pool)).toEqual(["vol-g"]);
});
