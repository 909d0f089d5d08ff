import type { AddressInfo, Server } from "node:net";
import { hostname } from "node:os";

/** A listen setting (CARVE_AGENT_*_LISTEN, validated HOST:PORT by env.ts) as net.Server.listen takes it. */
export function parseListen(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(":");
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(value.slice(at + 1)) };
}

/**
 * The HOST:PORT other machines reach a listener at: the *_ADVERTISE setting, else the listen host
 * (this host's name for a wildcard) and the port actually bound.
 */
export function advertisedAddress(listen: { host: string }, port: number, advertise?: string): string {
  if (advertise !== undefined) return advertise;
  const host = listen.host === "0.0.0.0" || listen.host === "::" ? hostname() : listen.host;
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Starts `server` listening on `listen` (port 0: a free one) and answers the address to advertise for it. */
export async function listenAndAdvertise(server: Server, listen: { host: string; port: number }, advertise?: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return advertisedAddress(listen, (server.address() as AddressInfo).port, advertise);
}
