import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.ts";

const BASE = { DATABASE_URL: "postgresql://x/y", NEXTAUTH_SECRET: "s".repeat(32), NEXTAUTH_URL: "https://carve.example.com" };

describe("portal settings", () => {
  it("fill in core's defaults for Redis, the queue prefix and the log level", () => {
    const { CARVE_TRUSTED_PROXIES, ...rest } = parseEnv(BASE);
    expect(rest).toEqual({ ...BASE, REDIS_URL: "redis://127.0.0.1:6379", CARVE_QUEUE_PREFIX: "bull", LOG_LEVEL: "info", CARVE_SECRET_KEY: null, CARVE_CONSOLE_URL: "wss://carve.example.com:3001/console" });
    expect(CARVE_TRUSTED_PROXIES.text).toBe("");
  });

  it("take the console proxy's URL as given, or derive it from the portal's host name", () => {
    expect(parseEnv({ ...BASE, CARVE_CONSOLE_URL: "wss://carve.example.com/console" }).CARVE_CONSOLE_URL).toBe("wss://carve.example.com/console");
    expect(parseEnv({ ...BASE, NEXTAUTH_URL: "http://127.0.0.1:3000" }).CARVE_CONSOLE_URL).toBe("ws://127.0.0.1:3001/console");
    expect(() => parseEnv({ ...BASE, CARVE_CONSOLE_URL: "https://carve.example.com/console" })).toThrow("CARVE_CONSOLE_URL: must be the console proxy's ws:// or wss:// URL");
  });

  it("refuse to start naming each bad variable and what it expects", () => {
    expect(() => parseEnv({ DATABASE_URL: "postgresql://x/y" })).toThrow(/NEXTAUTH_SECRET: is required: at least 32 random characters[\s\S]*NEXTAUTH_URL: must be the portal's public URL/);
    expect(() => parseEnv({ ...BASE, NEXTAUTH_SECRET: "short" })).toThrow("NEXTAUTH_SECRET: must be at least 32 random characters");
    expect(() => parseEnv({ ...BASE, NEXTAUTH_URL: "ftp://carve" })).toThrow("NEXTAUTH_URL: must be the portal's public URL");
    expect(() => parseEnv({ ...BASE, DATABASE_URL: "mysql://x" })).toThrow("DATABASE_URL: must be a postgresql:// URL");
    expect(() => parseEnv({ ...BASE, CARVE_SECRET_KEY: "short" })).toThrow(/CARVE_SECRET_KEY: must be 32 bytes/);
    expect(() => parseEnv({ ...BASE, CARVE_TRUSTED_PROXIES: "10.0.0.0/8, proxy.example.com" })).toThrow("CARVE_TRUSTED_PROXIES: 'proxy.example.com' is not an IP address or CIDR");
    expect(() => parseEnv({ ...BASE, CARVE_TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow("CARVE_TRUSTED_PROXIES: '10.0.0.0/33' is not an IP address or CIDR");
  });
});
