import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { toCarveError, type CoreDeps } from "@carve/core";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { relayConsole, type TConnect } from "./relay.ts";
import { assertPortalOrigin, signedInUser, upgradeClientAddress, type TUpgradeSettings } from "./upgrade-checks.ts";

/** The one path browsers open consoles on (the reverse proxy routes it here). */
export const CONSOLE_PATH = "/console";

export interface TConsoleServerOptions extends TUpgradeSettings {
  deps: CoreDeps;
  connect: TConnect;
  log: Logger;
  firstMessageMs?: number;
  pollMs?: number;
}

export interface TConsoleServer {
  /** `ws://HOST:PORT/console` as listened on. */
  url: string;
  /** Consoles open right now (relaying or about to). */
  openConsoles(): number;
  /** Stops taking consoles, closes the open ones (1001, the page offers Reconnect) and the listener. */
  close(): Promise<void>;
}

/** Browsers may send small messages (keys, pointer, clipboard); 1 MiB is far above any of them. */
const MAX_MESSAGE_BYTES = 1 << 20;

/** Ends an upgrade before it becomes a WebSocket, with a plain-text status page (scripts see the status). */
function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  const statusText = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable" }[status] ?? "Error";
  socket.end(`HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/**
 * The console proxy's server: WebSocket upgrades on /console from the portal's origin with a valid
 * portal session become consoles (see relayConsole); anything else is refused before a byte of
 * console flows (403 for another origin, 401 without a session). Plain HTTP gets 426.
 */
export async function startConsoleServer(options: TConsoleServerOptions, listen: { host: string; port: number }): Promise<TConsoleServer> {
  const { log } = options;
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // noVNC asks for websockify's `binary` subprotocol (or none): answer it when asked.
    handleProtocols: (protocols) => (protocols.has("binary") ? "binary" : false),
  });
  const server: Server = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain; charset=utf-8", upgrade: "websocket" }).end("This is Carve's console proxy: open a console from the VM's page in the portal.\n");
  });

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? "/", "http://proxy").pathname !== CONSOLE_PATH) return refuseUpgrade(socket, 404, `Consoles are on ${CONSOLE_PATH}.`);
    const address = upgradeClientAddress(request, options);
    let userId: string;
    try {
      assertPortalOrigin(request, options);
      userId = (await signedInUser(options.deps, request, options)).userId;
    } catch (error) {
      const refusal = toCarveError(error);
      if (!refusal.expected) log.error({ err: error }, "could not check a console upgrade");
      else log.info({ code: refusal.code, client: address }, "console upgrade refused");
      return refuseUpgrade(socket, refusal.code === "FORBIDDEN" ? 403 : refusal.expected ? 401 : 503, refusal.message);
    }
    if (!address) return refuseUpgrade(socket, 403, "The client's address is unknown.");
    sockets.handleUpgrade(request, socket, head, (ws) => {
      log.info({ open: sockets.clients.size, client: address }, "console connection");
      void relayConsole(ws, { deps: options.deps, connect: options.connect, log, client: { address, userId }, firstMessageMs: options.firstMessageMs ?? 10_000, pollMs: options.pollMs ?? 3_000 }).then(() =>
        log.info({ open: sockets.clients.size }, "console connection closed"),
      );
    });
  };
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", (err) => log.debug({ err }, "console upgrade socket failed"));
    void upgrade(request, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    url: `ws://${host}:${bound.port}${CONSOLE_PATH}`,
    openConsoles: () => sockets.clients.size,
    async close() {
      const closing = [...sockets.clients].map((client) => new Promise<void>((resolve) => {
        client.once("close", () => resolve());
        client.close(1001, "The console proxy is restarting: press Reconnect");
        // A browser that does not answer the close handshake does not hold the shutdown up.
        setTimeout(() => client.terminate(), 1_000).unref();
      }));
      await Promise.all(closing);
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
