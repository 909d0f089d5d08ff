import { createHash } from "node:crypto";
import { chown, open, rename, rm, stat } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { THypervisor } from "../hypervisor/hypervisor.ts";
import { listenAndAdvertise } from "../listen-address.ts";
import type { Logger } from "../logger.ts";
import { line, mib, newNonce, parseLine, readChunk, readLine, sameMac, streamMac, ZStreamHeader, ZStreamProof, ZStreamTrailer } from "./wire.ts";

/** What the receiver needs from the hypervisor: file-backed pools' paths, their volumes, a refresh. */
export type TReceiverHypervisor = Pick<THypervisor, "listPoolDetails" | "listVolumes" | "refreshPool" | "volumePath">;

/** Suffix of a volume being received; the receiver removes such files when it starts and before each receive. */
export const PARTIAL_SUFFIX = ".partial";

/** What one receive is for: the volume, where it goes, and the hash of its one-time token. */
export interface TReceiveRequest {
  volumeId: string;
  pool: string;
  name: string;
  token: string;
  /** Give up when no sender connected by then. */
  waitMs: number;
}

export interface TReceivedVolume {
  path: string;
  bytes: number;
  sha256: string;
}

interface TSession {
  request: Omit<TReceiveRequest, "token">;
  /** Resolves once the session may write (stale partial removed). */
  ready: Promise<void>;
  /** The one-time token: in this process's memory only, for the duration of the receive. */
  token: string;
  /** Set once a sender with the right token connected: no second connection is accepted. */
  claimed: boolean;
  socket: Socket | null;
  partialPath: string | null;
  settle: (error: Error | null, value?: TReceivedVolume) => void;
}

/** How long the receiver waits for the sender's next bytes before it gives up on a stalled stream. */
const IDLE_MS = 60_000;

/**
 * The destination side of storage migration: one TCP listener per agent, and one session per
 * volume being received (registered by the volume.migrate-receive job). A connection is accepted
 * only for a registered volume whose sender proves it holds the one-time token (see wire.ts); the
 * session then takes no other connection. The bytes go to `<name>.partial` in the pool's
 * directory, are hashed as they arrive, and become the volume (rename, pool refresh) only when the
 * sender's sha256 matches. Whatever goes wrong removes the partial.
 */
export class VolumeReceiver {
  private server: Server | null = null;
  private readonly sessions = new Map<string, TSession>();
  /** HOST:PORT other agents connect to; set by listen(). */
  advertised = "";

  constructor(
    private readonly hypervisor: TReceiverHypervisor,
    private readonly log: Logger,
  ) {}

  /** Listens on `listen` (HOST:PORT; port 0 picks a free one) and works out the address to advertise. */
  async listen(listen: { host: string; port: number }, advertise?: string): Promise<string> {
    const server = createServer({ pauseOnConnect: true }, (socket) => void this.accept(socket));
    server.on("error", (error) => this.log.error({ err: error }, "volume receiver error"));
    this.advertised = await listenAndAdvertise(server, listen, advertise);
    this.server = server;
    return this.advertised;
  }

  /**
   * Removes `*.partial` volumes left in this host's file-backed pools by a receive that never
   * finished (the agent was killed mid-stream). Run at start, before any session exists.
   */
  async removeStalePartials(): Promise<number> {
    let removed = 0;
    for (const pool of await this.hypervisor.listPoolDetails().catch(() => [])) {
      if (!pool.active || !pool.path) continue;
      await this.hypervisor.refreshPool(pool.name).catch(() => undefined);
      for (const volume of await this.hypervisor.listVolumes(pool.name).catch(() => [])) {
        if (!volume.endsWith(PARTIAL_SUFFIX)) continue;
        await rm(join(pool.path, volume), { force: true });
        removed += 1;
      }
      if (removed > 0) await this.hypervisor.refreshPool(pool.name).catch(() => undefined);
    }
    if (removed > 0) this.log.info({ removed }, "removed partial volumes left by an interrupted storage migration");
    return removed;
  }

  /**
   * Waits for the one sender of this volume and receives it. A receive already waiting for the
   * same volume (an older job) is replaced. `signal` aborts it (cancel), removing the partial.
   */
  receive(request: TReceiveRequest, signal: AbortSignal): Promise<TReceivedVolume> {
    this.sessions.get(request.volumeId)?.settle(new Error("replaced by a newer migration of the same volume"));
    const { token, ...rest } = request;
    const receiving = new Promise<TReceivedVolume>((resolve, reject) => {
      const timer = setTimeout(
        () => session.settle(new Error(`no sender connected within ${Math.round(request.waitMs / 1000)} s; the source host's agent may be down or cannot reach ${this.advertised}`)),
        request.waitMs,
      );
      const onAbort = () => session.settle(new Error(`cancelled: ${String(signal.reason ?? "on request")}`));
      const session: TSession = {
        request: rest,
        // A partial left by an earlier attempt goes before this session writes a byte.
        ready: this.poolPath(request.pool).then((path) => rm(join(path, request.name + PARTIAL_SUFFIX), { force: true })),
        token,
        claimed: false,
        socket: null,
        partialPath: null,
        settle: (error, value) => {
          if (this.sessions.get(request.volumeId) !== session) return;
          this.sessions.delete(request.volumeId);
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          if (error) {
            session.socket?.destroy();
            const partial = session.partialPath;
            const cleanup = partial ? rm(partial, { force: true }).then(() => this.hypervisor.refreshPool(request.pool).catch(() => undefined)) : Promise.resolve();
            void cleanup.finally(() => reject(error));
          } else if (value) {
            resolve(value);
          }
        },
      };
      this.sessions.set(request.volumeId, session);
      session.ready.catch((error: unknown) => session.settle(error instanceof Error ? error : new Error(String(error))));
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    return receiving;
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) session.settle(new Error("the agent is stopping"));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async poolPath(pool: string): Promise<string> {
    const detail = (await this.hypervisor.listPoolDetails()).find((p) => p.name === pool);
    if (!detail?.path) throw new Error(`pool ${pool} is not a file-backed pool on this host (no target path): storage migration needs a directory or NFS pool`);
    return detail.path;
  }

  private async accept(socket: Socket): Promise<void> {
    socket.on("error", () => undefined); // reported through the reads below
    let session: TSession | undefined;
    try {
      const header = parseLine(ZStreamHeader, await readLine(socket, 10_000), "header");
      session = this.sessions.get(header.volumeId);
      if (!session) {
        socket.end(line({ ok: false, error: `this host is not (yet) waiting for volume ${header.volumeId}`, retry: true }));
        return;
      }
      const nonce = newNonce();
      if (!session.claimed) socket.write(line({ ok: true, nonce }));
      const proof = session.claimed ? null : parseLine(ZStreamProof, await readLine(socket, 10_000), "proof").proof;
      if (session.claimed || proof === null || !sameMac(streamMac(session.token, "hello", header.volumeId, nonce, header.bytes), proof)) {
        this.log.warn({ volumeId: header.volumeId, from: socket.remoteAddress }, "refused a volume stream with a wrong or used token");
        socket.end(line({ ok: false, error: "the stream token is wrong or was already used" }));
        session = undefined; // not this connection's session: leave it waiting
        return;
      }
      session.claimed = true;
      session.socket = socket;
      await session.ready;
      const received = await this.write(session, socket, header.bytes, nonce);
      socket.end(line({ ok: true, path: received.path, sha256: received.sha256 }));
      session.settle(null, received);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (session?.claimed) {
        if (!socket.destroyed) socket.end(line({ ok: false, error: message }));
        session.settle(new Error(`receiving volume ${session.request.volumeId} failed: ${message}`));
      } else {
        socket.destroy();
      }
    }
  }

  /** Writes the stream to the partial file, checks the digest, and puts the volume in place. */
  private async write(session: TSession, socket: Socket, bytes: number, nonce: string): Promise<TReceivedVolume> {
    const { pool, name } = session.request;
    const poolPath = await this.poolPath(pool);
    const partial = join(poolPath, name + PARTIAL_SUFFIX);
    session.partialPath = partial;
    // The pool directory's owner (the session daemon's user, root on a system daemon) owns volumes.
    const owner = await stat(poolPath);
    const file = await open(partial, "w", 0o600);
    const hash = createHash("sha256");
    let written = 0;
    let rest: Buffer = Buffer.alloc(0);
    try {
      await file.chown(owner.uid, owner.gid);
      socket.write(line({ ok: true }));
      while (written < bytes) {
        const chunk = await readChunk(socket, IDLE_MS);
        if (chunk === null) throw new Error(`the sender's stream ended after ${mib(written)} of ${mib(bytes)} MiB`);
        const body = chunk.subarray(0, bytes - written);
        if (body.length < chunk.length) rest = chunk.subarray(body.length);
        hash.update(body);
        await file.write(body);
        written += body.length;
      }
      await file.sync();
    } finally {
      await file.close();
    }
    if (rest.length > 0) socket.unshift(rest);
    const trailer = parseLine(ZStreamTrailer, await readLine(socket, IDLE_MS), "checksum");
    const sha256 = hash.digest("hex");
    if (!sameMac(streamMac(session.token, "trailer", session.request.volumeId, nonce, trailer.sha256), trailer.mac)) {
      throw new Error("the sender's checksum is not sealed with the stream token: the stream was tampered with; the copy was discarded");
    }
    if (sha256 !== trailer.sha256) throw new Error(`the copy's sha256 ${sha256} differs from the source's ${trailer.sha256}: the stream was damaged; the copy was discarded, retry the migration`);
    const final = join(poolPath, name);
    await rename(partial, final);
    session.partialPath = null;
    await chown(final, owner.uid, owner.gid);
    await this.hypervisor.refreshPool(pool);
    const path = (await this.hypervisor.volumePath(pool, name)) ?? final;
    this.log.info({ volumeId: session.request.volumeId, pool, bytes }, "volume received and verified");
    return { path, bytes, sha256 };
  }
}
