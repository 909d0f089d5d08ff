import { describe, expect, it } from "vitest";
import { loadEnv } from "./env.ts";

describe("controller settings", () => {
  it("refuse to start without a database, naming the variable and what it expects", () => {
    expect(() => loadEnv({})).toThrow(/DATABASE_URL: .*expected string|DATABASE_URL/);
    expect(() => loadEnv({ DATABASE_URL: "mysql://x" })).toThrow("DATABASE_URL: must be a postgresql:// URL");
    expect(() => loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_SWEEP_MS: "0" })).toThrow("CARVE_SWEEP_MS");
    expect(() => loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_HOST_GRACE_MS: "3000" })).toThrow(/CARVE_HOST_GRACE_MS: must be at least 10000 \(two agent heartbeats\)/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_TEMPLATE_STORE: "templates" })).toThrow(/CARVE_TEMPLATE_STORE: must be an absolute directory path/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_METRICS_PORT: "70000" })).toThrow("CARVE_METRICS_PORT: must be a port number from 0 to 65535");
    expect(() => loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_METRICS_PORT: "" })).toThrow("CARVE_METRICS_PORT: must be a port number from 0 to 65535");
  });

  it("serve metrics only when a port is set (0: any free port), and only with a token", () => {
    const token = "c".repeat(40);
    expect(loadEnv({ DATABASE_URL: "postgresql://x/y" }).CARVE_METRICS_PORT).toBeUndefined();
    expect(loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_METRICS_PORT: "0", CARVE_METRICS_TOKEN: token }).CARVE_METRICS_PORT).toBe(0);
    expect(loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_METRICS_PORT: "9464", CARVE_METRICS_TOKEN: token })).toMatchObject({ CARVE_METRICS_PORT: 9464, CARVE_METRICS_TOKEN: token });
    expect(() => loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_METRICS_PORT: "9464" })).toThrow(/CARVE_METRICS_TOKEN: is required when CARVE_METRICS_PORT is set: \/metrics is served only to a caller with this bearer token/);
    expect(() => loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_METRICS_PORT: "9464", CARVE_METRICS_TOKEN: "has a space in it and is long enough" })).toThrow(/CARVE_METRICS_TOKEN: must be 32 to 512 printable characters without spaces/);
  });

  it("fill in the defaults for everything else", () => {
    expect(loadEnv({ DATABASE_URL: "postgresql://x/y" })).toEqual({
      DATABASE_URL: "postgresql://x/y",
      REDIS_URL: "redis://127.0.0.1:6379",
      CARVE_QUEUE_PREFIX: "bull",
      CARVE_SWEEP_MS: 2000,
      LOG_LEVEL: "info",
      CARVE_HOST_GRACE_MS: 30_000,
      CARVE_RECONCILE_MS: 30_000,
      CARVE_JOB_STUCK_MS: 7_200_000,
      CARVE_DIRECTORY_SYNC_MS: 900_000,
      CARVE_SECRET_KEY: null,
      CARVE_TEMPLATE_STORE: "/var/lib/carve/templates",
    });
  });

  it("take the secret key as 64 hex digits, and name the variable and how to make one otherwise", () => {
    expect(loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_SECRET_KEY: "ab".repeat(32) }).CARVE_SECRET_KEY).toEqual(Buffer.alloc(32, 0xab));
    expect(() => loadEnv({ DATABASE_URL: "postgresql://x/y", CARVE_SECRET_KEY: "short" })).toThrow(/CARVE_SECRET_KEY: must be 32 bytes .*openssl rand -hex 32/);
  });
});
