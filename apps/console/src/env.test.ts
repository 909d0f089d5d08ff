import { describe, expect, it } from "vitest";
import { loadEnv } from "./env.ts";

const BASE = { DATABASE_URL: "postgresql://x/y", NEXTAUTH_SECRET: "s".repeat(32), NEXTAUTH_URL: "https://carve.example.com" };

describe("console proxy settings", () => {
  it("listen on loopback port 3001 unless told, and take HOST:PORT or [IPv6]:PORT", () => {
    expect(loadEnv(BASE).CARVE_CONSOLE_LISTEN).toEqual({ host: "127.0.0.1", port: 3001 });
    expect(loadEnv({ ...BASE, CARVE_CONSOLE_LISTEN: "[::1]:4001" }).CARVE_CONSOLE_LISTEN).toEqual({ host: "::1", port: 4001 });
  });

  it("refuse to start naming each bad variable", () => {
    expect(() => loadEnv({ ...BASE, CARVE_CONSOLE_LISTEN: "3001" })).toThrow("CARVE_CONSOLE_LISTEN: must be HOST:PORT");
    expect(() => loadEnv({ ...BASE, CARVE_CONSOLE_LISTEN: "0.0.0.0:70000" })).toThrow("CARVE_CONSOLE_LISTEN: must end in a port number");
    expect(() => loadEnv({ ...BASE, NEXTAUTH_SECRET: undefined })).toThrow("NEXTAUTH_SECRET: is required: the portal's NEXTAUTH_SECRET");
    expect(() => loadEnv({ ...BASE, CARVE_TRUSTED_PROXIES: "nginx" })).toThrow("CARVE_TRUSTED_PROXIES: 'nginx' is not an IP address or CIDR");
  });
});
