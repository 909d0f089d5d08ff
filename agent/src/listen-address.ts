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
