import { describe, expect, it } from "vitest";
import { AgentConfigError, loadAgentEnv } from "./env.ts";

const HOST_ID = "0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1";
const MINIMAL = { CARVE_HOST_ID: HOST_ID, CARVE_LIBVIRT_URI: "qemu:///system" };

/** The error message loadAgentEnv throws for `source`. */
function problemWith(source: Record<string, string>): string {
  try {
    loadAgentEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentConfigError);
    return (error as AgentConfigError).message;
  }
  throw new Error("expected loadAgentEnv to throw");
}

describe("loadAgentEnv", () => {
  it("fills in the documented defaults", () => {
    expect(loadAgentEnv(MINIMAL)).toEqual({
      CARVE_HOST_ID: HOST_ID,
      CARVE_LIBVIRT_URI: "qemu:///system",
      REDIS_URL: "redis://127.0.0.1:6379",
      CARVE_QUEUE_PREFIX: "bull",
      CARVE_AGENT_CONCURRENCY: 8,
      CARVE_CONSOLE_LOG_DIR: "/var/log/carve/console",
      CARVE_AGENT_DATA_DIR: "/var/lib/carve",
      CARVE_DOMAIN_TYPE: "auto",
      CARVE_AGENT_MIGRATION_LISTEN: "0.0.0.0:7447",
      CARVE_AGENT_CONSOLE_LISTEN: "0.0.0.0:7448",
      LOG_LEVEL: "info",
    });
  });

  it("accepts a test driver node file and parses numbers", () => {
    const env = loadAgentEnv({ ...MINIMAL, CARVE_LIBVIRT_URI: "test:///tmp/n/node.xml", CARVE_AGENT_CONCURRENCY: "3" });
    expect(env.CARVE_LIBVIRT_URI).toBe("test:///tmp/n/node.xml");
    expect(env.CARVE_AGENT_CONCURRENCY).toBe(3);
  });

  it("serves metrics only when a port is set (0: any free port), and only with a token", () => {
    const token = "m".repeat(32);
    expect(loadAgentEnv({ ...MINIMAL, CARVE_AGENT_METRICS_PORT: "0", CARVE_METRICS_TOKEN: token }).CARVE_AGENT_METRICS_PORT).toBe(0);
    expect(loadAgentEnv({ ...MINIMAL, CARVE_AGENT_METRICS_PORT: "9465", CARVE_METRICS_TOKEN: token })).toMatchObject({ CARVE_AGENT_METRICS_PORT: 9465, CARVE_METRICS_TOKEN: token });
    expect(loadAgentEnv({ ...MINIMAL, CARVE_AGENT_METRICS_PORT: "" }).CARVE_AGENT_METRICS_PORT).toBeUndefined();
    expect(problemWith({ ...MINIMAL, CARVE_AGENT_METRICS_PORT: "9465" })).toMatch(/CARVE_METRICS_TOKEN is not set; it is required when CARVE_AGENT_METRICS_PORT is set: \/metrics is served only to a caller with this bearer token/);
    expect(problemWith({ ...MINIMAL, CARVE_AGENT_METRICS_PORT: "9465", CARVE_METRICS_TOKEN: "short" })).toMatch(/CARVE_METRICS_TOKEN must be 32 to 512 printable characters/);
  });

  it("names a missing variable and what it expects", () => {
    expect(problemWith({ CARVE_LIBVIRT_URI: "qemu:///system" })).toMatch(/CARVE_HOST_ID is not set; it must be the host's UUID/);
  });

  it.each([
    ["CARVE_HOST_ID", "host-1", /CARVE_HOST_ID must be the host's UUID/],
    ["CARVE_LIBVIRT_URI", "xen:///", /CARVE_LIBVIRT_URI must be a libvirt URI/],
    ["REDIS_URL", "localhost:6379", /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    ["CARVE_QUEUE_PREFIX", "a b", /CARVE_QUEUE_PREFIX must be 1-64 letters/],
    ["CARVE_AGENT_CONCURRENCY", "lots", /CARVE_AGENT_CONCURRENCY must be a whole number from 1 to 256/],
    ["CARVE_AGENT_CONCURRENCY", "0", /CARVE_AGENT_CONCURRENCY must be a whole number from 1 to 256/],
    ["CARVE_CONSOLE_LOG_DIR", "logs/console", /CARVE_CONSOLE_LOG_DIR must be an absolute path/],
    ["CARVE_AGENT_DATA_DIR", "/var/lib/../etc", /CARVE_AGENT_DATA_DIR must be an absolute path/],
    ["LOG_LEVEL", "loud", /LOG_LEVEL must be one of/],
    ["CARVE_AGENT_METRICS_PORT", "http", /CARVE_AGENT_METRICS_PORT must be a port number from 0 to 65535/],
    ["CARVE_AGENT_METRICS_PORT", "65536", /CARVE_AGENT_METRICS_PORT must be a port number from 0 to 65535/],
    ["CARVE_AGENT_MIGRATION_LISTEN", "7447", /CARVE_AGENT_MIGRATION_LISTEN must be HOST:PORT \(e.g. 0.0.0.0:7447\) or off/],
    ["CARVE_AGENT_MIGRATION_LISTEN", "0.0.0.0:70000", /CARVE_AGENT_MIGRATION_LISTEN must be HOST:PORT/],
    ["CARVE_AGENT_MIGRATION_ADVERTISE", "host b:7447", /CARVE_AGENT_MIGRATION_ADVERTISE must be HOST:PORT/],
  ])("refuses a bad %s (%j)", (name, value, expected) => {
    expect(problemWith({ ...MINIMAL, [name]: value })).toMatch(expected);
  });

  it("reports every bad variable at once", () => {
    const message = problemWith({ CARVE_HOST_ID: "x", CARVE_LIBVIRT_URI: "nope" });
    expect(message).toContain("CARVE_HOST_ID");
    expect(message).toContain("CARVE_LIBVIRT_URI");
  });
});
