import { createServer, type Server, type TLSSocket } from "node:tls";
import { CONSOLE_TLS, type TConsoleStreamKind } from "@carve/protocol";
import { listenAndAdvertise } from "../listen-address.ts";
import type { Logger } from "../logger.ts";
import { openDisplay, type TConsoleHypervisor } from "./display.ts";

/** One console session a `console.attach` job registered: who may connect, with which key, to what. */
export interface TConsoleSessionRequest {
  /** The TLS-PSK identity. */
  sessionId: string;
  domain: string;
  kind: TConsoleStreamKind;
  /** The one-time pre-shared key (in this process's memory only). */
  key: Buffer;
  /** Forgotten after this long when nobody connected. */
  ttlMs: number;
}

interface TSession {
  domain: string;
  kind: TConsoleStreamKind;
  key: Buffer;
  timer: NodeJS.Timeout;
}

/**
 * The agent's console listener (issue 18): TLS-PSK over TCP, where the PSK identity is a session id
 * and the key the one-time key of that session, registered by a `console.attach` job. A session is
 * single use: the first handshake that names it takes it, whether or not its key is right (so a
 * wrong key costs the guesser the session, never a second try), and it is forgotten when nobody
 * connects in time. After the handshake the stream is piped to the domain's own display.
 */
export class ConsoleListener {
  private server: Server | null = null;
  private readonly sessions = new Map<string, TSession>();
  private readonly claimed = new WeakMap<TLSSocket, TSession>();
  private readonly open = new Set<TLSSocket>();
  /** HOST:PORT the console proxy connects to; set by listen(). */
  advertised = "";

  constructor(
    private readonly hypervisor: TConsoleHypervisor,
    private readonly log: Logger,
  ) {}

  /** Registers (or, for a retried job, replaces) a session. */
  register(request: TConsoleSessionRequest): void {
    this.forget(request.sessionId);
    const timer = setTimeout(() => this.forget(request.sessionId), request.ttlMs);
    timer.unref();
    this.sessions.set(request.sessionId, { domain: request.domain, kind: request.kind, key: request.key, timer });
  }

  /** How many sessions wait for their connection. */
  get waiting(): number {
    return this.sessions.size;
  }

  async listen(listen: { host: string; port: number }, advertise?: string): Promise<string> {
    const server = createServer(
      {
        ...CONSOLE_TLS,
        pskCallback: (socket, identity) => {
          const session = this.sessions.get(identity);
          if (!session) return null;
          this.forget(identity);
          this.claimed.set(socket, session);
          return session.key;
        },
      },
      (socket) => void this.serve(socket),
    );
    server.on("tlsClientError", (error) => this.log.debug({ err: error }, "console connection refused (unknown session, used session or wrong key)"));
    server.on("error", (error) => this.log.error({ err: error }, "console listener error"));
    this.advertised = await listenAndAdvertise(server, listen, advertise);
    this.server = server;
    return this.advertised;
  }

  /** Stops listening, forgets waiting sessions and cuts open streams. */
  async close(): Promise<void> {
    for (const id of [...this.sessions.keys()]) this.forget(id);
    for (const socket of this.open) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private forget(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    clearTimeout(session.timer);
    this.sessions.delete(sessionId);
  }

  private async serve(socket: TLSSocket): Promise<void> {
    const session = this.claimed.get(socket);
    if (!session) return void socket.destroy();
    this.open.add(socket);
    socket.once("close", () => this.open.delete(socket));
    socket.on("error", () => undefined); // the peer going away is how streams end
    const log = this.log.child({ domain: session.domain, kind: session.kind });
    let display;
    try {
      display = await openDisplay(this.hypervisor, session.domain, session.kind);
    } catch (error) {
      log.warn({ err: error }, `console not opened: ${error instanceof Error ? error.message : String(error)}`);
      return void socket.destroy();
    }
    if (display.tail.length > 0) socket.write(display.tail);
    const live = display.live;
    if (live === null) return void socket.end();
    log.info("console stream open");
    let closed = false;
    const end = () => {
      if (closed) return;
      closed = true;
      live.close();
      socket.destroy();
      log.info("console stream closed");
    };
    for (const stream of [live.input, live.output, socket]) {
      stream.once("close", end);
      stream.on("error", end);
    }
    live.input.once("end", end);
    socket.pipe(live.output);
    live.input.pipe(socket);
  }
}
