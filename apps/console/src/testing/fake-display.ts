import { once } from "node:events";
import { createServer, connect as tcpConnect, type Socket } from "node:net";
import type { TConnect } from "../relay.ts";

/** A VM display for tests (an interface we own, in place of core's attachConsole and the agent). */
export interface TFakeDisplay {
  /** Hands the proxy a TCP stream to this display, as attachConsole will hand one to the agent. */
  connect: TConnect;
  /** Everything the display received on its latest stream. */
  received(): Buffer;
  /** The display's side of its latest stream (write to it, end it). */
  latest(): Socket | null;
  close(): Promise<void>;
}

/**
 * A display on a loopback TCP port (or, given `socketPath`, on that UNIX socket, where QEMU puts a
 * VM's display for the agent) that greets each stream with `greeting` (an RFB version line, or a
 * serial console's last lines) and records what it is sent.
 */
export async function startFakeDisplay(greeting: string, socketPath?: string): Promise<TFakeDisplay> {
  let latest: Socket | null = null;
  let received: Buffer[] = [];
  const server = createServer((socket) => {
    latest = socket;
    received = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("error", () => undefined);
    socket.write(greeting);
  });
  if (socketPath) server.listen(socketPath);
  else server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return {
    connect: async () => {
      const socket = typeof address === "string" ? tcpConnect(address) : tcpConnect((address as { port: number }).port, "127.0.0.1");
      await once(socket, "connect");
      return socket;
    },
    received: () => Buffer.concat(received),
    latest: () => latest,
    close: () => {
      latest?.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
