import { createServer, type Socket } from "node:net";

/** A VM's display or serial port as QEMU offers it: a UNIX socket the agent connects to. */
export interface TSocketDisplay {
  /** What the display received on its latest connection. */
  received(): string;
  close(): Promise<void>;
}

/**
 * Listens at `path` as a VM's display (libvirt's test driver runs no QEMU: with
 * CARVE_CONSOLE_SOCKET_DIR the agent reads the socket paths from the live XML): answers each
 * connection with `greeting`, and records what it receives.
 */
export async function listenAsDisplay(path: string, greeting: string): Promise<TSocketDisplay> {
  let received = "";
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    received = "";
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    socket.on("error", () => undefined);
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    received: () => received,
    close: () => {
      for (const socket of connections) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
